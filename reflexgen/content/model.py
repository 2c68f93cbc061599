"""The content model: plain frozen data, relations held as ids, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from reflexgen.config import SiteConfig
from reflexgen.config.menu import MenuEntry
from reflexgen.hashing import digest

R = TypeVar("R")
# Marks the fields of a record that follow its body: `assemble` and `plan` never read them.
BODY = {"body": True}

COMMENT_STATUSES = ("approved", "pending", "spam")
# The grammatical genders an author file may give (`gender:`): the theme's wording agrees.
GENDERS = {"f": "feminine", "m": "masculine", "n": "neutral"}


def evolve(record: R, **changes: Any) -> R:
    """A copy of a frozen record with some fields changed: `dataclasses.replace` without
    running `__init__` again, which costs ten times more (assemble does it for every article)."""
    copy = object.__new__(type(record))
    vars(copy).update(vars(record), **changes)
    return copy


@dataclass(frozen=True)
class Comment:
    """A reader's comment; `email` is never kept, so it can never be published."""

    id: str
    author: str
    date: datetime
    body_html: str
    parent: str | None = None
    url: str | None = None
    status: str = "approved"
    author_id: str | None = None
    source: str | None = None  # a mention (Webmention): the page of another site that cites it


@dataclass(frozen=True)
class Thread:
    """A comment with the approved replies to it, oldest first."""

    comment: Comment
    replies: tuple[Thread, ...] = ()


def place(order: tuple[int, ...], item: int) -> tuple[int, int | None, int | None]:
    """Where `item` stands in `order` (from 1), and the items just before and after it."""
    at = order.index(item)
    return (at + 1, order[at - 1] if at else None,
            order[at + 1] if at + 1 < len(order) else None)


def flatten(threads: tuple[Thread, ...]) -> list[Comment]:
    """Every comment of these threads, replies after their parent."""
    return [c for t in threads for c in (t.comment, *flatten(t.replies))]


@dataclass(frozen=True)
class Author:
    """An author file, or (`profile=False`) a byline that matches no author file."""

    id: str
    name: str
    bio_html: str = ""
    avatar: str | None = None
    website: str | None = None
    social: tuple[tuple[str, str], ...] = ()
    source: str | None = None
    profile: bool = True
    url: str = ""
    gender: str | None = None  # a key of GENDERS, or None when the file does not say


@dataclass(frozen=True)
class Original:
    """An image file under content/ that an article shows (its `image:` or in its body)."""

    url: str  # as the article names it: /images/photo.jpg
    width: int  # as shown: after its EXIF orientation
    height: int
    digest: str = ""  # of its bytes, for a photo the build resizes; "" for one shown as is


@dataclass(frozen=True)
class Body:
    """The heavy part of an article, kept apart so listings never need to load it."""

    html: str
    threads: tuple[Thread, ...] = ()


@dataclass(frozen=True)
class Article:
    """A blog post. Readers fill what the file says; `assemble` resolves the relations.

    `digest` identifies the source (article and comment files, and the settings that shape
    their parsing): equal digests mean equal `Article` fields and `Body`."""

    source: str
    title: str
    date: datetime
    slug: str
    summary_html: str
    words: int = field(metadata=BODY)
    digest: str = field(default="", metadata=BODY)
    updated: datetime | None = None
    author_refs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    category: str | None = None
    image: str | None = None
    image_size: tuple[int, int] | None = None  # (width, height) of a local image file
    pictures: tuple[Original, ...] = ()  # its images under content/: `image:`, then the body's
    # The addresses of its body's images under content/, found or not: when one changes,
    # comes or goes, the article is read again (see `discover.Inventory.article_stamp`).
    body_images: tuple[str, ...] = field(default=(), metadata=BODY)
    draft: bool = False
    lang: str | None = None
    comments_open: bool = True
    # Follows the comment file like the body: the plan needs only whether it is 0 (see
    # site/blueprint.py `shape`), so a new comment leaves the plan as it is.
    comment_count: int = field(default=0, metadata=BODY)
    extra: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # old URLs that redirect here (see redirects.py)
    pinned: bool = False  # shown first on the home page
    series: str | None = None  # a series of articles read in order
    # Its Markdown holds HTML of its own (see site.toml raw_html):
    raw_html: bool = field(default=False, metadata=BODY)
    warnings: tuple[Any, ...] = field(default=(), metadata=BODY)  # errors.Problem values
    head: str = field(default="", metadata=BODY)  # see `head_digest`
    # Set by assemble:
    url: str = ""
    authors: tuple[str, ...] = ()
    future: bool = False

    @property
    def shown_images(self) -> tuple[str | None, ...]:
        """The addresses of its images: `image:`, then its body's files under content/."""
        return (self.image, *self.body_images)


def head_digest(article: Article) -> str:
    """Every field of an article as read but those that follow its body: articles with equal
    heads assemble and plan alike (see site/blueprint.py)."""
    return digest(*(getattr(article, f.name) for f in fields(Article)
                    if not f.metadata.get("body")))


@dataclass(frozen=True)
class Page:
    """A standalone page such as « À propos »."""

    source: str
    title: str
    slug: str
    body_html: str
    draft: bool = False
    lang: str | None = None
    date: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    menu: str | None = "main"  # the menu it is linked in (see config.MENUS), or None
    weight: int = 0  # its place in that menu: lower first
    url: str = ""


@dataclass(frozen=True)
class Taxon:
    """A tag or a category: its name, slug, URL and articles (indices into `Site.articles`)."""

    name: str
    slug: str
    url: str
    articles: tuple[int, ...]


@dataclass(frozen=True)
class StaticFile:
    """A file under content/ or the theme copied as is."""

    source: str
    output: str


@dataclass(frozen=True)
class SiteImage:
    """An image of site.toml: the logo or the favicon."""

    url: str  # its path in the site, percent-encoded: /images/logo.svg
    type: str  # its media type: image/svg+xml, image/png, image/x-icon…
    width: int | None  # its width in pixels, when the file says it simply
    height: int | None  # its height in pixels, likewise


@dataclass(frozen=True)
class Site:
    """Everything the renderers need, assembled once; articles are newest first."""

    config: SiteConfig
    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    authors: dict[str, Author]
    tags: tuple[Taxon, ...]
    categories: tuple[Taxon, ...]
    series: tuple[Taxon, ...]  # their articles oldest first: the reading order
    static_files: tuple[StaticFile, ...]
    author_articles: dict[str, tuple[int, ...]]
    bodies: Mapping[str, Body]
    menus: dict[str, tuple[MenuEntry, ...]] = field(default_factory=dict)  # by place, in order
    logo: SiteImage | None = None
    favicon: SiteImage | None = None
