"""Where things live: URL patterns, output paths and absolute links. Pure functions."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit

from slugify import slugify

# Typographic apostrophes separate words like straight ones: « L’été » → l-ete.
APOSTROPHES = [["’", "'"], ["ʼ", "'"]]
# python-slugify's own transliterator, named: its default ("auto") first tries to import
# Unidecode, an import that fails again on every call with non-ASCII text when that is
# absent, and that would change the slugs of a site if it happened to be installed.
TRANSLITERATOR = "text-unidecode"


@lru_cache(maxsize=65536)  # python-slugify is slow, and the same tags come back again and again
def slug(text: str) -> str:
    """A URL slug, transliterated to ASCII: « Réseaux sociaux : Être ? » → reseaux-sociaux-etre."""
    return slugify(text, replacements=APOSTROPHES, backend=TRANSLITERATOR)


DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}[-_]")


def file_slug(rel: str) -> str:
    """The slug a source's file name gives it, as Hugo, Zola and Jekyll do: the name
    transliterated, without a leading `2024-03-12-` date; `…/mon-billet/index.md` is
    `mon-billet`. The title never decides it, so fixing a title keeps the address."""
    parts = rel.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if stem in ("index", "_index") and len(parts) > 1:
        stem = parts[-2]
    return slug(DATE_PREFIX.sub("", stem, count=1)) or slug(stem)


def article_url(pattern: str, slug_: str, date: datetime, category: str | None) -> str:
    """An article's path by the site's permalink pattern (`category` as written)."""
    return pattern.format(year=f"{date.year:04d}", month=f"{date.month:02d}",
                          day=f"{date.day:02d}", slug=slug_,
                          category=slug(category) if category else "")


# The addresses reflexgen gives in the site's language: the search page, the page that lists
# every feed and the OPML file of them all.
LOCALISED = {"fr": {"search": "/recherche/", "subscribe": "/abonnement/",
                    "opml": "/abonnements.opml"},
             "en": {"search": "/search/", "subscribe": "/subscribe/",
                    "opml": "/subscriptions.opml"}}
FEED_STYLE = "/feed.xsl"  # the XSLT stylesheet that shows a feed as a page in a browser
# Where resized photos are published (`content.pictures`): content-named files only.
RESIZED = "/resized/"
# The first path segments of the pages reflexgen makes itself (listings, pagination, the
# theme's files): a page of the author's must take another slug (see the importer, `new page`).
RESERVED = frozenset({"tags", "categories", "authors", "archives", "series", "page", "theme",
                      "posts", "pages", "pagefind", RESIZED.strip("/")} | {
    path.strip("/") for table in LOCALISED.values() for path in table.values()
    if path.endswith("/")})


def localised(name: str, language: str) -> str:
    """The address of `name` (a key of `LOCALISED`) on a site in `language`."""
    return LOCALISED.get(language, LOCALISED["en"])[name]


def page_url(slug: str) -> str:
    return f"/{slug}/"


def tag_url(slug: str) -> str:
    return f"/tags/{slug}/"


def series_url(slug: str) -> str:
    return f"/series/{slug}/"


def category_url(slug: str) -> str:
    return f"/categories/{slug}/"


def author_url(author_id: str) -> str:
    return f"/authors/{author_id}/"


def paged(url: str, number: int) -> str:
    """The URL of page `number` of a listing whose first page is `url`."""
    return url if number == 1 else f"{url}page/{number}/"


def file_url(rel: str) -> str:
    """The address of an output file, by its path relative to the output folder."""
    return "/" + quote(rel)


def output_path(url: str) -> str:
    """The file (relative to the output folder) that serves `url`; refuses to leave it."""
    path = url + "index.html" if url.endswith("/") else url
    parts = [part for part in path.split("/") if part]
    if not parts or any(part in (".", "..") or "\\" in part or "\0" in part for part in parts):
        raise ValueError(f"unsafe URL {url!r}")
    return "/".join(parts)


def comments_feed(article_url: str) -> str:
    """The Atom feed of an article's comments, beside it."""
    return (article_url if article_url.endswith("/") else article_url + ".") + "comments.atom"


def alias_path(alias: str) -> str:
    """The URL an old path is served at: `/old` is a folder (`/old/`), `/old.html` a file."""
    last = alias.rsplit("/", 1)[-1]
    return alias if alias.endswith("/") or "." in last else alias + "/"


RELATIVE = re.compile(r'(\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/)([^"]*)"')


def rebase(html: str, page_url: str) -> str:
    """HTML written for `page_url` with its relative links made root-relative, so that it can
    be shown on another page (an article's summary on a listing)."""
    return RELATIVE.sub(lambda m: f'{m.group(1)}{urljoin(page_url, m.group(2))}"', html)


def absolute(base_url: str, url: str) -> str:
    return base_url + url if url.startswith("/") else url


def link(base_url: str, url: str) -> str:
    """A site path as a link, below base_url's own path when the site has one (/blog)."""
    return _base_path(base_url) + url if url.startswith("/") else url


@lru_cache(maxsize=16)
def _base_path(base_url: str) -> str:
    return urlsplit(base_url).path.rstrip("/")


def content_file(url: str) -> str | None:
    """The file under content/ that a site path names (`/images/x.jpg` → `images/x.jpg`, as
    content/ is copied to the output), or None for another site's address, a relative one or
    one that would leave content/."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.endswith("/"):
        return None
    try:
        return output_path(path)
    except ValueError:
        return None
