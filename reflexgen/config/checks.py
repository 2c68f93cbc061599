"""Checks of single settings, each giving (what is wrong, the fix) or nothing."""

from __future__ import annotations

import difflib
import re
import string
from pathlib import Path
from urllib.parse import urlsplit

from reflexgen.errors import Problem

PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug", "category"})


def check_base_url(url: str) -> tuple[str, str] | None:
    """(what is wrong, the fix) for a base_url that would break every link, feed and sitemap
    entry: one without http(s)://, or without a host."""
    example = 'write base_url = "https://monblog.example.org/"'
    if "://" not in url and re.match(r"[a-zA-Z][\w+.-]*:(?!\d)", url):
        return (f"base_url {url!r} must start with https:// (or http://)", example)
    if "://" not in url:
        return (f"base_url {url!r} has no scheme: links, feeds and the sitemap need a full "
                "address", _with_https(url.lstrip("/")) or example)
    scheme, rest = url.split("://", 1)
    if scheme.lower() not in ("http", "https"):
        return (f"base_url {url!r} must start with https:// (or http://), not {scheme}://",
                _with_https(rest) or example)
    if re.search(r"\s", url):
        return f"base_url {url!r} holds a space", example
    parts = urlsplit(url)
    if not parts.hostname:
        return f"base_url {url!r} has no host name", example
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        return f"base_url {url!r} has an invalid port", example
    if parts.query or parts.fragment or "@" in parts.netloc:
        return (f"base_url {url!r} must be a host and maybe a path, without '?', '#' or "
                "user@", example)
    return None


def _with_https(address: str) -> str | None:
    """The fix for a base_url typed without its scheme, when what is left looks like a host
    (`monblog.example.org/blog`, `localhost:8000`)."""
    host = address.split("/", 1)[0]
    if not re.fullmatch(r"(?:[\w-]+\.)+[\w-]+(?::\d+)?|localhost(?::\d+)?", host):
        return None
    return f'write base_url = "https://{address.rstrip("/")}/"'


def check_permalink(pattern: object, path: Path) -> list[Problem]:
    hint = 'for example permalink = "/{year}/{month}/{slug}/"'
    if not isinstance(pattern, str) or not pattern.startswith("/") or not pattern.endswith("/"):
        return [Problem("permalink must be text starting and ending with '/'", path, hint=hint)]
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        return [Problem(f"invalid permalink pattern: {exc}", path, hint=hint)]
    unknown = names - PERMALINK_FIELDS
    if unknown:
        available = ", ".join(f"{{{n}}}" for n in sorted(PERMALINK_FIELDS))
        return [Problem(f"unknown permalink {'field' if len(unknown) == 1 else 'fields'}: "
                        f"{', '.join(sorted(unknown))}", path,
                        hint=f"available: {available}")]
    if "slug" not in names:
        return [Problem("permalink must contain {slug}", path, hint=hint)]
    parts = pattern.split("/")
    if any(part in (".", "..") or "\\" in part or "%" in part for part in parts):
        return [Problem(f"permalink {pattern!r} would write outside the output folder", path,
                        hint="remove '..', '.', '%' and backslashes from it")]
    return []


def did_you_mean(word: str, choices: tuple[str, ...], known: str = "settings") -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known {known}: " + ", ".join(choices)
