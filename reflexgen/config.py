"""Read `site.toml` into a frozen `SiteConfig`, with helpful errors."""

from __future__ import annotations

import difflib
import json
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
MENUS = ("main", "footer")  # where a menu link goes: the header's menu or the footer's
MENU_KEYS = ("name", "url", "weight", "where")
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif",
               ".avif": "image/avif", ".ico": "image/x-icon"}
IMAGE_SETTINGS = {"logo": (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"),
                  "favicon": (".svg", ".png", ".ico")}  # setting → the file types it takes
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
SAFE_MENU_URL = re.compile(r"(?:https?://[^/\s]|mailto:[^\s@]+@|/(?!/))[^\s\\]*", re.I)


@dataclass(frozen=True)
class MenuEntry:
    """A link of a menu: a page, or a `[[menu]]` table of site.toml."""

    name: str  # the text of the link
    url: str  # a path in the site (/archives/) or an address elsewhere (https://…, mailto:)
    weight: int = 0  # lower comes first; equal weights go in alphabetical order
    where: str = "main"  # "main" (the header) or "footer"


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
    default_author: str = ""  # the author id `reflexgen new post` uses without --author
    logo: str = ""  # an image under content/ ("/images/logo.svg"), shown instead of the title
    favicon: str = ""  # an image under content/ (.svg, .png or .ico); else the theme's
    accent_color: str = ""  # "#rrggbb": the theme's links and accents, and theme-color
    menu: tuple[MenuEntry, ...] = ()  # the [[menu]] links, merged with the pages' menus
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
        Problem(f"unknown setting {key!r}", path, line_of(text, key),
                hint=_did_you_mean(key, KNOWN_KEYS))
        for key in data if key not in KNOWN_KEYS
    ]
    problems: list[Problem] = []
    for key in ("title", "base_url"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(Problem(f"missing required setting {key!r}", path,
                                    hint=f'add a line like {key} = "…"'))
    if isinstance(data.get("base_url"), str) and data["base_url"].strip():
        trouble = check_base_url(data["base_url"].strip())
        if trouble:
            problems.append(Problem(trouble[0], path, line_of(text, "base_url"),
                                    hint=trouble[1]))
    language = data.get("language", "en")
    if language not in LANGUAGES:
        problems.append(Problem(f"language {language!r} is not supported", path,
                                line_of(text, "language"),
                                hint=f"use one of: {', '.join(LANGUAGES)}"))
    timezone = data.get("timezone", "UTC")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(f"unknown timezone {timezone!r}", path,
                                line_of(text, "timezone"),
                                hint='use an IANA name such as "Europe/Paris" or "UTC"'))
    for key in ("paginate", "feed_limit", "max_article_kb", "max_comment_kb"):
        value = data.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(Problem(f"{key} must be a whole number of at least 1", path,
                                    line_of(text, key)))
    if data.get("raw_html", "allow") not in RAW_HTML:
        problems.append(Problem(f"raw_html must be one of {', '.join(RAW_HTML)}", path,
                                line_of(text, "raw_html"),
                                hint='raw_html = "sanitize" keeps safe HTML only'))
    permalink = data.get("permalink", SiteConfig.permalink)
    problems += [replace(p, line=line_of(text, "permalink"))
                 for p in _check_permalink(permalink, path)]
    if not isinstance(data.get("default_author", ""), str):
        problems.append(Problem("default_author must be text: an author id (the name of a "
                                "file in content/authors/ without .md)", path,
                                line_of(text, "default_author"), hint='default_author = "claire"'))
    if not isinstance(data.get("extra", {}), dict):
        problems.append(Problem("extra must be a table", path, line_of(text, "extra"),
                                hint="write [extra] then keys"))
    identity, noted = check_identity(data, text, path)
    menu, wrong, noted_menu = read_menu(data.get("menu", []), text, path)
    problems += identity + wrong
    warnings += noted + noted_menu
    if problems:
        raise BuildError(problems)

    values = {k: v for k, v in data.items() if k in KNOWN_KEYS}
    values["base_url"] = data["base_url"].strip().rstrip("/")
    values["menu"] = menu
    return SiteConfig(root=root, **values), warnings


def settings_text(values: dict[str, str]) -> str:
    """`key = "value"` lines of site.toml for text settings, in the order of `SiteConfig`."""
    return "".join(f"{key} = {toml_string(values[key])}\n" for key in KNOWN_KEYS
                   if key in values)


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML wants escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


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


def line_of(text: str, key: str) -> int | None:
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


def check_identity(data: dict[str, Any], text: str, path: Path
                   ) -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings of `logo`, `favicon` and `accent_color`."""
    problems, warnings = [], []
    for key, suffixes in IMAGE_SETTINGS.items():
        if data.get(key, "") != "":
            trouble = check_image(data[key], key, suffixes, path.parent / "content")
            if trouble:
                problems.append(Problem(trouble[0], path, line_of(text, key), hint=trouble[1]))
    colour = data.get("accent_color", "")
    if colour != "" and not (isinstance(colour, str) and HEX_COLOUR.fullmatch(colour)):
        problems.append(Problem(f"accent_color {colour!r} is not a CSS hex colour", path,
                                line_of(text, "accent_color"),
                                hint='write # and 3 or 6 hexadecimal digits, e.g. '
                                     'accent_color = "#1f3a5f"'))
    elif colour and contrast_on_white(colour) < 4.5:
        warnings.append(Problem(
            f"accent_color {colour!r} is too light for links on a light background (contrast "
            f"{contrast_on_white(colour):.1f}:1 where readers need 4.5:1)", path,
            line_of(text, "accent_color"),
            hint="choose a darker shade: the default theme lightens it for dark mode"))
    return problems, warnings


def check_image(value: object, key: str, suffixes: tuple[str, ...], content: Path
                ) -> tuple[str, str] | None:
    """(what is wrong, the fix) for an image setting that names no image under content/."""
    example = f'write {key} = "/images/{key}{suffixes[0]}" for content/images/{key}{suffixes[0]}'
    if not isinstance(value, str):
        return f"{key} must be text: the path of an image under content/", example
    if not value.startswith("/"):
        if "://" in value:
            return (f"{key} {value!r} must be a file of the site, not an address elsewhere",
                    f"copy the image under content/images/ and {example}")
        rel = value.lstrip("./")
        return (f"{key} {value!r} must be a path starting with /",
                f'for content/{rel}, write {key} = "/{rel}"')
    rel = value[1:]
    if "\\" in rel or any(part in ("", "..") or part.startswith(".") for part in rel.split("/")):
        return f"{key} {value!r} is not the path of a file under content/", example
    if Path(rel).suffix.lower() not in suffixes:
        return (f"{key} {value!r} is not an image of a type it takes ({', '.join(suffixes)})",
                example)
    if not (content / rel).is_file():
        folder = (content / rel).parent
        names = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
        near = difflib.get_close_matches(Path(rel).name, names, n=1)
        return (f"{key} {value!r}: there is no file content/{rel}",
                f'did you mean "{value.rsplit("/", 1)[0]}/{near[0]}"?' if near else
                f"put the image at content/{rel}, or correct the path: it starts from content/ "
                f'("/images/{key}{suffixes[0]}" is content/images/{key}{suffixes[0]})')
    return None


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a `#rgb` or `#rrggbb` colour with white."""
    digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def read_menu(value: object, text: str, path: Path
              ) -> tuple[tuple[MenuEntry, ...], list[Problem], list[Problem]]:
    """The `[[menu]]` tables of site.toml as entries, with the problems and warnings found."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        return (), [Problem("menu must be a list of [[menu]] tables", path, line_of(text, "menu"),
                            hint='write [[menu]] at the end of site.toml, then name = "…" and '
                                 'url = "…" on the lines below')], []
    entries, problems, warnings = [], [], []
    for index, entry in enumerate(value):
        def line(key: str | None = None, index: int = index) -> int | None:
            return table_line(text, "menu", index, key) or line_of(text, "menu")

        name = entry.get("name")
        label = f"[[menu]] {name.strip()!r}" if isinstance(name, str) and name.strip() \
            else f"[[menu]] number {index + 1}"
        for key in entry:
            if key not in MENU_KEYS:
                hint = ("settings written below a [[menu]] table belong to it: move the "
                        "[[menu]] tables to the end of site.toml") if key in KNOWN_KEYS \
                    else _did_you_mean(key, MENU_KEYS, "keys of [[menu]]")
                warnings.append(Problem(f"unknown key {key!r} in {label}", path, line(key),
                                        hint=hint))
        found = len(problems)
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(f"{label} needs a name: the text of the link", path,
                                    line("name"), hint='name = "Mastodon"'))
        url = entry.get("url")
        if not isinstance(url, str) or not SAFE_MENU_URL.fullmatch(url.strip()):
            problems.append(Problem(
                f"url of {label} must be a path in the site starting with / or a full address "
                f"(https://…, mailto:…), not {url!r}", path, line("url"),
                hint='url = "/archives/" or url = "https://mastodon.social/@moi"'))
        weight = entry.get("weight", 0)
        if not isinstance(weight, int) or isinstance(weight, bool):
            problems.append(Problem(f"weight of {label} must be a whole number, not {weight!r}",
                                    path, line("weight"), hint="weight = 10 (lower comes first)"))
        where = entry.get("where", "main")
        if where not in MENUS:
            problems.append(Problem(f"where of {label} must be \"main\" or \"footer\", not "
                                    f"{where!r}", path, line("where"),
                                    hint='where = "footer" puts the link in the footer'))
        if len(problems) == found:
            entries.append(MenuEntry(str(name).strip(), str(url).strip(), weight, str(where)))
    return tuple(entries), problems, warnings


def table_line(text: str, table: str, index: int, key: str | None = None) -> int | None:
    """The line of the `index`-th `[[table]]` header (from 0) of a TOML text, or of `key = …`
    inside that table."""
    headers = list(re.finditer(rf"^[ \t]*\[\[[ \t]*{re.escape(table)}[ \t]*\]\]", text, re.M))
    if index >= len(headers):
        return None
    start = headers[index].end()
    if key is not None:
        after = re.compile(r"^[ \t]*\[", re.M).search(text, start)
        found = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.M).search(
            text, start, after.start() if after else len(text))
        if found:
            return text.count("\n", 0, found.start()) + 1
    return text.count("\n", 0, headers[index].start()) + 1


def _did_you_mean(word: str, choices: tuple[str, ...], known: str = "settings") -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known {known}: " + ", ".join(choices)
