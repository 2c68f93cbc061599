"""RSS 2.0 and Atom feeds with feedgen: absolute links, stable ids, no build timestamps; a
browser shows them as a page through the theme's XSLT stylesheet (feed readers ignore it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from reflexgen import __version__, urls
from reflexgen.config import SiteConfig
from reflexgen.content.discover import source_stem
from reflexgen.content.model import Site
from reflexgen.hashing import settings_digest
from reflexgen.render import structured
from reflexgen.render.tracking import Reads
from reflexgen.render.views import ArticleView, Views
from reflexgen.site.plan import FeedJob

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ENTRIES_KEPT = 4096  # enough for every feed of a large blog (20 entries each)
ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')
SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def entry_id(config: SiteConfig, source: str, date: datetime) -> str:
    """A tag URI from the host, the first publication date and the source file name.

    It survives a switch from http to https and a change of slug or permalink pattern."""
    host = urlsplit(config.base_url).hostname or "localhost"
    stem = source_stem(source)  # posts/2024/a.md and posts/2024/a.markdown: posts/2024/a
    return f"tag:{host},{date:%Y-%m-%d}:{stem}"


RSS_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")


def new_feed(title: str, description: str, language: str, updated: datetime,
             site: Site) -> FeedGenerator:
    """A feed with what every one of ours carries: the site's logo and favicon too, if it
    has them; its date is its newest entry's, never the build's."""
    fg = FeedGenerator()
    fg.title(title)
    fg.description(description)
    fg.language(language)
    fg.generator("reflexgen", __version__, "https://pypi.org/project/reflexgen/")
    fg.updated(updated)
    # RSS 2.0's <image> (which feedgen also writes as Atom's <logo>) must be a GIF, JPEG or
    # PNG: the logo if it is one, else the favicon if it is one, as WordPress does.
    raster = next((image for image in (site.logo, site.favicon)
                   if image and image.type in RSS_IMAGE_TYPES), None)
    if raster:
        fg.image(urls.absolute(site.config.base_url, raster.url))
    if site.favicon:
        fg.icon(urls.absolute(site.config.base_url, site.favicon.url))  # Atom <icon>
    return fg


def with_stylesheet(document: bytes, href: str) -> bytes:
    """`document` with an `xml-stylesheet` processing instruction right after its XML
    declaration (nothing may come before that): a browser that opens the feed shows it
    through that XSLT stylesheet."""
    instruction = f'<?xml-stylesheet type="text/xsl" href="{escape(href)}"?>\n'.encode()
    head, rest = b"", document
    if document.startswith(b"<?xml "):
        end = document.index(b"?>") + 2
        head, rest = document[:end] + b"\n", document[end:].removeprefix(b"\n")
    return head + instruction + rest


def absolutize(html: str, base_url: str) -> str:
    """Feed readers have no page URL to resolve against: make root-relative links absolute
    (also each address of a `srcset`)."""
    html = ROOT_RELATIVE.sub(lambda m: m.group(1) + base_url + "/", html)
    return SRCSET.sub(lambda m: m.group(1) + ", ".join(
        base_url + c if c.startswith("/") and not c.startswith("//") else c
        for c in (part.strip() for part in m.group(2).split(","))) + '"', html)


# What closes a pretty-printed feed; entries go right before it (feedgen appends them last).
TAILS = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}
# How feedgen's rss_str and atom_str serialise a feed (with pretty=True).
SERIALISED = {"pretty_print": True, "encoding": "UTF-8", "xml_declaration": True}


def serialise(fg: FeedGenerator, fmt: str) -> bytes:
    """The feed as feedgen writes it in `fmt` ("rss" or "atom")."""
    return fg.rss_str(pretty=True) if fmt == "rss" else fg.atom_str(pretty=True)


@dataclass
class Entry:
    """An article's feed entry, and its bytes in each format once serialised."""

    entry: FeedEntry
    serialised: dict[str, bytes | None] = field(default_factory=dict)


class FeedRenderer:
    """Renders feeds from the views, recording what they read as pages do. An article's entry
    (with its absolute-link HTML) is built once, and serialised by feedgen once per format:
    a feed is feedgen's document without entries, with those bytes put before its closing
    tag; the same bytes as feedgen writing the whole feed (see `generator`)."""

    def __init__(self, views: Views, memo: dict | None = None) -> None:
        self.views = views
        self.config = views.config
        self._settings = settings_digest(self.config)
        self._stylesheet = urls.link(self.config.base_url, urls.FEED_STYLE)
        # Entries, with what they read; a long-lived process keeps them between builds.
        self._entries: dict = memo if memo is not None else {}
        # This renderer's number: an entry checked once is not checked again by the same one.
        self._generation = self._entries["generation"] = self._entries.get("generation", 0) + 1
        # By format: a feed's tree to serialise one entry at a time in, the element entries
        # go in, and the bytes before an entry.
        self._frames: dict[str, tuple[Any, Any, bytes | None]] = {}

    def render(self, job: FeedJob) -> tuple[bytes, Reads]:
        """One feed document, and what it read; the same content gives the same bytes."""
        with self.views.recorder.capture() as reads:
            if job.scope == "comments":
                data = serialise(self.comments(job), job.format)
            else:
                data = self.spliced(job)
        return with_stylesheet(data, self._stylesheet), reads

    def spliced(self, job: FeedJob) -> bytes:
        """`job`'s feed: its head by feedgen, then each entry's bytes, kept from its first
        feed; byte for byte what `generator` gives."""
        articles = [self.views.article(i) for i in job.items]
        head = serialise(self.head(job, articles), job.format)
        tail = TAILS[job.format]
        if not articles:
            return head
        entries = [self.serialised(article, job) for article in articles]
        if not head.endswith(tail) or None in entries:  # not the layout feedgen writes today
            return serialise(self.generator(job), job.format)
        return b"".join([head[:-len(tail)], *entries, tail])  # type: ignore[list-item]

    def generator(self, job: FeedJob) -> FeedGenerator:
        """The whole feed of `job` built by feedgen, entries and all."""
        articles = [self.views.article(i) for i in job.items]
        fg = self.head(job, articles)
        for article in articles:
            fg.add_entry(self.entry(article, job.content).entry, order="append")
        return fg

    def head(self, job: FeedJob, articles: list[ArticleView]) -> FeedGenerator:
        """`job`'s feed without its entries."""
        config = self.config
        base = config.base_url
        fg = new_feed(job.title, config.description or config.title, config.language,
                      max((a.updated or a.date for a in articles), default=EPOCH),
                      self.views.site)
        fg.load_extension("dc", atom=False, rss=True)
        fg.id(urls.absolute(base, job.url))
        fg.link([{"href": urls.absolute(base, job.url), "rel": "self"},  # RSS <link>: the last
                 {"href": urls.absolute(base, job.page_url), "rel": "alternate"}], replace=True)
        return fg

    def serialised(self, article: ArticleView, job: FeedJob) -> bytes | None:
        """The article's entry as feedgen writes it in `job`'s feeds (pretty-printed at the
        depth of a feed's entries, namespaces as the feed's root declares them); None if
        feedgen no longer writes a feed as its head, then its entries."""
        made = self.entry(article, job.content)
        if job.format not in made.serialised:
            made.serialised[job.format] = self._alone(made.entry, job.format)
        return made.serialised[job.format]

    def _alone(self, entry: FeedEntry, fmt: str) -> bytes | None:
        """`entry`'s element, made by feedgen, serialised as feedgen serialises a feed: in a
        feed of ours with no other entry (the same root, hence the same namespaces), its
        bytes between those before it and the closing tags."""
        if fmt not in self._frames:
            fg = FeedGenerator()
            fg.title("entry")
            fg.description("entry")
            fg.id("tag:localhost,1970-01-01:entry")
            fg.link(href="http://localhost/", rel="alternate")
            fg.updated(EPOCH)
            fg.load_extension("dc", atom=False, rss=True)
            root, doc = fg._create_rss() if fmt == "rss" else fg._create_atom()
            parent = root.find("channel") if fmt == "rss" else root
            before = etree.tostring(doc, **SERIALISED)
            self._frames[fmt] = (doc, parent, before[:-len(TAILS[fmt])]
                                 if before.endswith(TAILS[fmt]) else None)
        doc, parent, before = self._frames[fmt]
        element = entry.rss_entry() if fmt == "rss" else entry.atom_entry()
        parent.append(element)  # where feedgen puts each entry: after the feed's own fields
        try:
            document = etree.tostring(doc, **SERIALISED)
        finally:
            parent.remove(element)
        tail = TAILS[fmt]
        if before is None or not document.startswith(before) or not document.endswith(tail):
            return None
        return document[len(before):-len(tail)]

    def comments(self, job: FeedJob) -> FeedGenerator:
        """An article's approved comments, newest first: readers follow the discussion."""
        config = self.config
        article = self.views.article(job.items[0])
        link = urls.absolute(config.base_url, article.url)
        comments = sorted(structured.comments(article.comments), key=lambda c: (c.date, c.id),
                          reverse=True)
        fg = new_feed(job.title, job.title, article.lang or config.language,
                      max((c.date for c in comments), default=article.date), self.views.site)
        uid = entry_id(config, article.source, article.date)
        for comment in comments:
            entry = fg.add_entry(order="append")
            entry.id(f"{uid}:comment-{comment.id}")
            entry.title(f"{comment.author} · {article.title}")
            entry.link(href=f"{link}#comment-{comment.id}")
            entry.published(comment.date)
            entry.updated(comment.date)
            entry.author({"name": comment.author, **({"uri": comment.url} if comment.url else {})})
            entry.content(comment.body_html, type="html")
        fg.id(urls.absolute(config.base_url, job.url))
        fg.link([{"href": urls.absolute(config.base_url, job.url), "rel": "self"},
                 {"href": urls.absolute(config.base_url, job.page_url), "rel": "alternate"}],
                replace=True)
        return fg

    def entry(self, article: ArticleView, content: str = "full") -> Entry:
        """The article as a feed entry (`content` "full": the whole article, "summary": its
        summary alone), the same in every feed that carries it; kept with what it read, and
        reused while all of that is the same."""
        views = self.views
        key = ("feed entry", repr(article), self._settings, content)
        found = self._entries.pop(key, None)
        if found is not None and found[3] != self._generation \
                and found[2] != fingerprints(views, found[1]):
            found = None  # made in an earlier build, from values that changed since
        if found is None:
            with views.recorder.capture() as reads:
                made = Entry(self._entry(article, content == "full"))
            found = (made, reads, fingerprints(views, reads), self._generation)
        else:
            views.recorder.replay(found[1])
            found = (*found[:3], self._generation)  # checked: the same for this build
        self._entries[key] = found  # most recently used last
        if len(self._entries) > ENTRIES_KEPT:
            del self._entries[next(k for k in self._entries if k != "generation")]
        return found[0]

    def _entry(self, article: ArticleView, full: bool) -> FeedEntry:
        base = self.config.base_url
        entry = FeedEntry()
        entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        uid = entry_id(self.config, article.source, article.date)
        entry.id(uid)
        entry.guid(uid, permalink=False)
        entry.title(article.title)
        entry.link(href=urls.absolute(base, article.url))
        entry.published(article.date)
        entry.updated(article.updated or article.date)
        names = [author.name for author in article.authors]
        for name in names:
            entry.author(name=name)
        if names:
            entry.dc.dc_creator(names)
        entry.summary(absolutize(article.summary_html, base) or article.title, type="html")
        if full:
            body = urls.rebase(article.body_html, article.url)
            entry.content(absolutize(body, base), type="html")
        for tag in article.tags:
            entry.category(term=tag.name)
        return entry


def fingerprints(views: Views, reads: Reads) -> list[str]:
    return [views.fingerprint(identity, tuple(sorted(reads[identity])))
            for identity in sorted(reads)]
