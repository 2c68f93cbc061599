"""Read `site.toml` into a frozen `SiteConfig`, with helpful errors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reflexgen.config.checks import check_base_url, check_permalink, did_you_mean
from reflexgen.config.comments import CommentSettings, read_comments
from reflexgen.config.deploy import DeployTarget, read_deploy
from reflexgen.config.feeds import FeedSettings, read_feeds
from reflexgen.config.hosting import HostingSettings, read_hosting
from reflexgen.config.identity import check_identity
from reflexgen.config.images import ImageSettings, read_images
from reflexgen.config.menu import MenuEntry, read_menu
from reflexgen.config.share import NETWORKS, read_share
from reflexgen.config.toml import line_of, toml_error_line, toml_string
from reflexgen.errors import BuildError, Problem

LANGUAGES = ("fr", "en")
RAW_HTML = ("allow", "sanitize", "escape")


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
    search: bool = True  # a search page and box, the articles and pages indexed by Pagefind
    search_comments: bool = False  # the comment threads indexed with their articles
    share: tuple[str, ...] = NETWORKS  # the share links under each article, in this order
    comments: CommentSettings = field(default_factory=CommentSettings)  # [comments]
    images: ImageSettings = field(default_factory=ImageSettings)  # [images]
    hosting: HostingSettings = field(default_factory=HostingSettings)  # [hosting]
    feeds: FeedSettings = field(default_factory=FeedSettings)  # [feeds]
    # [deploy.NAME] tables, in the order written (the first is the default target); not a
    # build setting: `hashing.settings_digest` leaves them out.
    deploy: tuple[DeployTarget, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"


KNOWN_KEYS = tuple(f.name for f in fields(SiteConfig) if f.name != "root")


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
                hint=did_you_mean(key, KNOWN_KEYS))
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
    for key in ("search", "search_comments"):
        if not isinstance(data.get(key, True), bool):
            problems.append(Problem(f"{key} must be true or false", path, line_of(text, key),
                                    hint=f"write {key} = false (no quotes)"))
    if data.get("raw_html", "allow") not in RAW_HTML:
        problems.append(Problem(f"raw_html must be one of {', '.join(RAW_HTML)}", path,
                                line_of(text, "raw_html"),
                                hint='raw_html = "sanitize" keeps safe HTML only'))
    permalink = data.get("permalink", SiteConfig.permalink)
    problems += [replace(p, line=line_of(text, "permalink"))
                 for p in check_permalink(permalink, path)]
    if not isinstance(data.get("default_author", ""), str):
        problems.append(Problem("default_author must be text: an author id (the name of a "
                                "file in content/authors/ without .md)", path,
                                line_of(text, "default_author"), hint='default_author = "claire"'))
    if not isinstance(data.get("extra", {}), dict):
        problems.append(Problem("extra must be a table", path, line_of(text, "extra"),
                                hint="write [extra] then keys"))
    identity, noted = check_identity(data, text, path)
    menu, wrong, noted_menu = read_menu(data.get("menu", []), text, path, KNOWN_KEYS)
    problems += identity + wrong
    warnings += noted + noted_menu
    share, wrong = read_share(data.get("share", True), text, path)
    problems += wrong
    base_url = data.get("base_url")
    base_url = base_url.strip() if isinstance(base_url, str) and base_url.strip() \
        and not check_base_url(base_url.strip()) else ""  # "": no default origin to derive
    comments, wrong, noted = read_comments(data.get("comments", {}), text, path, base_url,
                                           KNOWN_KEYS)
    problems += wrong
    warnings += noted
    images, wrong, noted = read_images(data.get("images", {}), text, path)
    problems += wrong
    warnings += noted
    hosting, wrong, noted = read_hosting(data.get("hosting", {}), text, path)
    problems += wrong
    warnings += noted
    feeds, wrong, noted = read_feeds(data.get("feeds", {}), text, path)
    problems += wrong
    warnings += noted
    deploy, wrong, noted = read_deploy(data.get("deploy", {}), text, path)
    problems += wrong
    warnings += noted
    if problems:
        raise BuildError(problems)

    values = {k: v for k, v in data.items() if k in KNOWN_KEYS}
    values["base_url"] = data["base_url"].strip().rstrip("/")
    values["menu"] = menu
    values["share"] = share
    values["comments"] = comments
    values["images"] = images
    values["hosting"] = hosting
    values["feeds"] = feeds
    values["deploy"] = deploy
    return SiteConfig(root=root, **values), warnings


def settings_text(values: dict[str, str]) -> str:
    """`key = "value"` lines of site.toml for text settings, in the order of `SiteConfig`."""
    return "".join(f"{key} = {toml_string(values[key])}\n" for key in KNOWN_KEYS
                   if key in values)
