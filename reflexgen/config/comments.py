"""The `[comments]` table of site.toml: how readers' comments come in (see reflexgen/comments/)."""

from __future__ import annotations

from dataclasses import dataclass

MODERATION = ("pre", "post")  # pre: everything waits for approval; post: published at once


@dataclass(frozen=True)
class CommentSettings:
    endpoint: str = ""  # the public URL the form posts to; no form on the site without it
    allowed_origins: tuple[str, ...] = ()  # origins that may post; empty: base_url's origin
    moderation: str = "pre"  # "pre" or "post"
    require_email: bool = False
    close_after_days: int = 0  # threads older than this take no comment; 0: never closed
    max_links: int = 2  # more links than this: pending, even with post-moderation
    blocklist: str = ""  # a file (relative to the site folder) of words and domains, one a line
    trusted_proxies: tuple[str, ...] = ()  # the only peers whose X-Forwarded-For is believed
    database: str = "comments.sqlite3"  # relative to the site folder; never copied to output
    deploy_command: str = ""  # run after each build that publishes comments
    keep_emails: bool = False  # write e-mail addresses into the sidecar files too
