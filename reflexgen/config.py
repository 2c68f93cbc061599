"""Read `site.toml` into a frozen `SiteConfig`, with helpful errors."""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reflexgen.errors import BuildError, Problem

LANGUAGES = ("fr", "en")
RAW_HTML = ("allow", "sanitize", "escape")
PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug", "category"})


@dataclass(frozen=True)
class SiteConfig:
    """Site-wide settings; `root` is the folder holding `site.toml`."""

    root: Path
    title: str
    base_url: str
    language: str = "en"
    timezone: str = "UTC"
    description: str = ""
    theme: str = "default"
    paginate: int = 10
    permalink: str = "/{year}/{month}/{slug}/"
    feed_limit: int = 20
    max_article_kb: int = 5 * 1024  # larger sources are refused: no one writes 5 MB by hand
    max_comment_kb: int = 64
    raw_html: str = "allow"  # in articles and pages: "allow", "sanitize" or "escape"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"


KNOWN_KEYS = tuple(f.name for f in fields(SiteConfig) if f.name != "root")


def toml_error_line(error: tomllib.TOMLDecodeError) -> int | None:
    """Python 3.11's TOML errors carry the line only in their message."""
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else None


def load_config(root: Path) -> tuple[SiteConfig, list[Problem]]:
    """Parse and validate `root/site.toml`; returns the config and warnings."""
    path = root / "site.toml"
    if not path.is_file():
        raise BuildError(Problem(
            "no site.toml here", path,
            hint="run reflexgen in a site folder, or pass --site DIR "
                 "(a site is a folder with site.toml and content/)"))
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(Problem(f"invalid TOML: {exc}", path, toml_error_line(exc),
                                 hint="check quotes and `key = value` syntax")) from None
    except UnicodeDecodeError:
        raise BuildError(Problem("not UTF-8 text", path, hint="save the file as UTF-8")) from None

    warnings = [
        Problem(f"unknown setting {key!r}", path, _line_of(text, key),
                hint=_did_you_mean(key, KNOWN_KEYS))
        for key in data if key not in KNOWN_KEYS
    ]
    problems: list[Problem] = []
    for key in ("title", "base_url"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(f"missing required setting {key!r}", path,
                                    hint=f'add a line like {key} = "…"'))
    if isinstance(data.get("base_url"), str) and data["base_url"].strip():
        trouble = _check_base_url(data["base_url"].strip())
        if trouble:
            problems.append(Problem(trouble[0], path, _line_of(text, "base_url"),
                                    hint=trouble[1]))
    language = data.get("language", "en")
    if language not in LANGUAGES:
        problems.append(Problem(f"language {language!r} is not supported", path,
                                _line_of(text, "language"),
                                hint=f"use one of: {', '.join(LANGUAGES)}"))
    timezone = data.get("timezone", "UTC")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(f"unknown timezone {timezone!r}", path,
                                _line_of(text, "timezone"),
                                hint='use an IANA name such as "Europe/Paris" or "UTC"'))
    for key in ("paginate", "feed_limit", "max_article_kb", "max_comment_kb"):
        value = data.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(Problem(f"{key} must be a whole number of at least 1", path,
                                    _line_of(text, key)))
    if data.get("raw_html", "allow") not in RAW_HTML:
        problems.append(Problem(f"raw_html must be one of {', '.join(RAW_HTML)}", path,
                                _line_of(text, "raw_html"),
                                hint='raw_html = "sanitize" keeps safe HTML only'))
    permalink = data.get("permalink", SiteConfig.permalink)
    problems += [replace(p, line=_line_of(text, "permalink"))
                 for p in _check_permalink(permalink, path)]
    if not isinstance(data.get("extra", {}), dict):
        problems.append(Problem("extra must be a table", path, _line_of(text, "extra"),
                                hint="write [extra] then keys"))
    if problems:
        raise BuildError(problems)

    values = {k: v for k, v in data.items() if k in KNOWN_KEYS}
    values["base_url"] = data["base_url"].strip().rstrip("/")
    return SiteConfig(root=root, **values), warnings


def _check_base_url(url: str) -> tuple[str, str] | None:
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


def _line_of(text: str, key: str) -> int | None:
    """The line of `key = …` in a TOML text (top level), if there is one."""
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _check_permalink(pattern: object, path: Path) -> list[Problem]:
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


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return "known settings: " + ", ".join(choices)
