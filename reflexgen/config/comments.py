"""The `[comments]` table of site.toml: how readers' comments come in (see reflexgen/comments/)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reflexgen.config.checks import did_you_mean
from reflexgen.config.mail import MailSettings, read_mail
from reflexgen.config.toml import line_of
from reflexgen.errors import Problem

# pre: everything waits for approval; post: published at once; trusted: pre, but a reader
# whose address is confirmed and who has an approved comment is published at once.
MODERATION = ("pre", "post", "trusted")
# Where `reflexgen comments serve` listens unless told (and where the host configuration
# written by `site.hosting` forwards the comment endpoint, unless `[hosting] intake` says).
INTAKE_HOST, INTAKE_PORT = "127.0.0.1", 8100
# The most a comment form adds to the comment itself (names, e-mail, token…): the intake reads
# at most this plus `max_comment_kb`, and the proxies in front of it take as much.
REQUEST_SLACK = 64 * 1024


def request_limit(max_comment_kb: int) -> int:
    """The largest request body the intake reads, in bytes."""
    return REQUEST_SLACK + max_comment_kb * 1024


@dataclass(frozen=True)
class CommentSettings:
    endpoint: str = ""  # the public URL the form posts to; no form on the site without it
    allowed_origins: tuple[str, ...] = ()  # origins that may post; empty: base_url's origin
    moderation: str = "pre"  # one of MODERATION
    require_email: bool = False
    close_after_days: int = 0  # threads older than this take no comment; 0: never closed
    max_links: int = 2  # more links than this: pending, even with post-moderation
    blocklist: str = ""  # a file (relative to the site folder) of words and domains, one a line
    trusted_proxies: tuple[str, ...] = ()  # the only peers whose X-Forwarded-For is believed
    # An SQLite file relative to the site folder (never copied to output), or a PostgreSQL
    # server's address: postgresql://user@host/name
    database: str = "comments.sqlite3"
    deploy_command: str = ""  # run after each build that publishes comments
    keep_emails: bool = False  # write e-mail addresses into the sidecar files too
    mail: MailSettings | None = None  # [comments.mail]: how the intake sends mail, if it does

    @property
    def webmention(self) -> str:
        """The intake's Webmention endpoint, which articles advertise ("" without one)."""
        if not self.endpoint:
            return ""
        return self.endpoint + ("" if self.endpoint.endswith("/") else "/") + "webmention"

    def closes(self, published: datetime) -> datetime | None:
        """When the thread of an article published at `published` closes by age; None: never.
        The one rule: the build (`site.assemble`, and the ledger that rebuilds at that moment)
        and the intake (`comments.threads`) both ask it."""
        return published + timedelta(days=self.close_after_days) if self.close_after_days \
            else None

    def closed(self, published: datetime, now: datetime) -> bool:
        """Whether that thread is closed by age at `now`."""
        closes = self.closes(published)
        return closes is not None and now >= closes


KEYS = tuple(f.name for f in fields(CommentSettings))
TABLES = ("mail",)  # read by their own module
DEFAULTS = CommentSettings()


def read_comments(value: object, text: str, path: Path, base_url: str,
                  settings: tuple[str, ...] = ()
                  ) -> tuple[CommentSettings, list[Problem], list[Problem]]:
    """The `[comments]` table as settings, with the problems and warnings found. `base_url`
    (already checked, or "" if it is wrong) gives the default `allowed_origins`; `settings`
    are the top-level setting names, which a `[comments]` table may have swallowed."""
    if not isinstance(value, dict):
        return DEFAULTS, [Problem("comments must be a table", path, line_of(text, "comments"),
                                  hint='write [comments] then endpoint = "…" on the lines '
                                       "below")], []
    problems: list[Problem] = []
    warnings: list[Problem] = []

    def wrong(key: str, message: str, hint: str) -> None:
        problems.append(Problem(f"[comments] {key} {message}", path, comments_line(text, key),
                                hint=hint))

    for key in value:
        if key not in KEYS:
            hint = ("settings written below [comments] belong to it: move [comments] to the "
                    "end of site.toml") if key in settings \
                else did_you_mean(key, KEYS, "keys of [comments]")
            warnings.append(Problem(f"unknown key {key!r} in [comments]", path,
                                    comments_line(text, key), hint=hint))
    found: dict[str, Any] = {}
    if "mail" in value:
        found["mail"], wrong_mail, noted = read_mail(value["mail"], text, path)
        problems += wrong_mail
        warnings += noted
    for key in KEYS:
        if key in value and key not in TABLES:
            found[key], trouble = _typed(key, value[key])
            if trouble:
                wrong(key, *trouble)
                del found[key]

    for key, check in CHECKS.items():
        if key in found:
            found[key], trouble = check(found[key], path.parent)
            if trouble:
                wrong(key, *trouble)
    if not found.get("allowed_origins") and base_url:
        found["allowed_origins"] = (origin_of(base_url),)
    return CommentSettings(**found), problems, warnings


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an address, as browsers send it in `Origin` (lower case, no
    default port, no path)."""
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower().rsplit("@", 1)[-1]
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return f"{scheme}://{netloc}"


def comments_line(text: str, key: str) -> int | None:
    """The line of `key = …` in the `[comments]` table of a TOML text, else of the table."""
    header = re.search(r"^[ \t]*\[[ \t]*comments[ \t]*\][ \t]*(?:#.*)?$", text, re.M)
    if header is None:
        dotted = re.search(rf"^[ \t]*comments[ \t]*\.[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
        found = dotted.start() if dotted else None
        return text.count("\n", 0, found) + 1 if found is not None else line_of(text, "comments")
    after = re.compile(r"^[ \t]*\[", re.M).search(text, header.end())
    match = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.M).search(
        text, header.end(), after.start() if after else len(text))
    return text.count("\n", 0, (match or header).start()) + 1


Trouble = tuple[str, str] | None  # (what is wrong, the fix)


def _typed(key: str, given: object) -> tuple[Any, Trouble]:
    """`given` as the type of the setting's default (lists of text become tuples)."""
    default = getattr(DEFAULTS, key)
    if isinstance(default, bool):
        if not isinstance(given, bool):
            return given, (f"must be true or false, not {given!r}", f"{key} = true")
    elif isinstance(default, int):
        if not isinstance(given, int) or isinstance(given, bool) or given < 0:
            return given, (f"must be a whole number of 0 or more, not {given!r}",
                           f"{key} = {default}")
    elif isinstance(default, tuple):
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            return given, (f"must be a list of text, not {given!r}", f'{key} = ["…", "…"]')
        return tuple(v.strip() for v in given), None
    elif not isinstance(given, str):
        return given, (f"must be text, not {given!r}", f'{key} = "…"')
    else:
        return given.strip(), None
    return given, None


def _check_endpoint(url: str, root: Path) -> tuple[str, Trouble]:
    if url == "":
        return url, None
    hint = 'endpoint = "https://commentaires.monblog.example.org/comments"'
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url, (f"{url!r} must be a full http(s) address", hint)
    if re.search(r"\s", url) or "@" in parts.netloc or parts.fragment:
        return url, (f"{url!r} must not hold spaces, user@ or '#'", hint)
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return url, (f"{url!r} has an invalid port", hint)
    return url, None


def _check_moderation(value: str, root: Path) -> tuple[str, Trouble]:
    if value not in MODERATION:
        return value, (f'must be "pre", "post" or "trusted", not {value!r}',
                       'moderation = "pre" holds every comment for approval')
    return value, None


def _check_origins(origins: tuple[str, ...], root: Path) -> tuple[tuple[str, ...], Trouble]:
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname \
                or parts.path not in ("", "/") or parts.query or parts.fragment \
                or "@" in parts.netloc or re.search(r"\s", origin):
            return origins, (f"{origin!r} is not an origin (scheme://host[:port], no path)",
                             'allowed_origins = ["https://monblog.example.org"]')
    return tuple(dict.fromkeys(origin_of(origin) for origin in origins)), None


def _check_proxies(proxies: tuple[str, ...], root: Path) -> tuple[tuple[str, ...], Trouble]:
    cleaned = []
    for proxy in proxies:
        try:
            cleaned.append(str(ipaddress.ip_network(proxy, strict=False)))
        except ValueError:
            return proxies, (f"{proxy!r} is not an IP address or network",
                             'trusted_proxies = ["127.0.0.1", "10.0.0.0/8", "::1"]')
    return tuple(cleaned), None


def _check_blocklist(name: str, root: Path) -> tuple[str, Trouble]:
    if name and not (root / name).is_file():
        return name, (f"{name!r}: there is no such file in the site folder",
                      "write one word or domain a line in that file, or remove the setting")
    return name, None


def _check_database(name: str, root: Path) -> tuple[str, Trouble]:
    if not name:
        return name, ("must not be empty", f'database = "{DEFAULTS.database}"')
    if "://" in name:  # a database server's address: `comments.store.open_store` checks it
        return name, None
    place = (root / name).resolve()
    for folder in ("content", "output"):
        if place.is_relative_to((root / folder).resolve()):
            return name, (f"{name!r} is inside {folder}/: the database holds e-mail addresses "
                          "and spam, and would be published", f'database = "{DEFAULTS.database}"')
    return name, None


CHECKS: dict[str, Callable[[Any, Path], tuple[Any, Trouble]]] = {
    "endpoint": _check_endpoint, "moderation": _check_moderation,
    "allowed_origins": _check_origins, "trusted_proxies": _check_proxies,
    "blocklist": _check_blocklist, "database": _check_database}
