"""RSS 2.0 and Atom feeds with feedgen: absolute links, stable ids, no build timestamps; a
browser shows them as a page through the theme's XSLT stylesheet (feed readers ignore it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.feed import FeedGenerator

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


class FeedRenderer:
    """Renders feeds from the views, recording what they read as pages do; an article's entry
    (with its absolute-link HTML) is built once, for all the feeds it is in."""

    def __init__(self, views: Views, memo: dict | None = None) -> None:
        self.views = views
        self.config = views.config
        self._settings = settings_digest(self.config)
        self._stylesheet = urls.link(self.config.base_url, urls.FEED_STYLE)
        # Entries, with what they read; a long-lived process keeps them between builds.
        self._entries: dict = memo if memo is not None else {}
        # This renderer's number: an entry checked once is not checked again by the same one.
        self._generation = self._entries["generation"] = self._entries.get("generation", 0) + 1
        # A scope's RSS and Atom jobs are planned side by side: build its feed once.
        self._last: tuple[tuple, FeedGenerator, Reads] | None = None

    def render(self, job: FeedJob) -> tuple[bytes, Reads]:
        """One feed document, and what it read; the same content gives the same bytes."""
        scope = (job.scope, job.key, job.page_url, job.items)
        if self._last is None or self._last[0] != scope:
            with self.views.recorder.capture() as reads:
                make = self.comments if job.scope == "comments" else self.generator
                self._last = (scope, make(job), reads)
        _, fg, reads = self._last
        base = self.config.base_url
        fg.id(urls.absolute(base, job.url))
        fg.link([{"href": urls.absolute(base, job.url), "rel": "self"},  # RSS <link>: the last
                 {"href": urls.absolute(base, job.page_url), "rel": "alternate"}], replace=True)
        data = fg.rss_str(pretty=True) if job.format == "rss" else fg.atom_str(pretty=True)
        return with_stylesheet(data, self._stylesheet), reads

    def generator(self, job: FeedJob) -> FeedGenerator:
        """The feed of `job`'s scope, ready to be written as RSS or Atom."""
        config = self.config
        articles = [self.views.article(i) for i in job.items]
        fg = new_feed(job.title, config.description or config.title, config.language,
                      max((a.updated or a.date for a in articles), default=EPOCH),
                      self.views.site)
        fg.load_extension("dc", atom=False, rss=True)
        for article in articles:
            fg.add_entry(self.entry(article), order="append")
        return fg

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
        return fg

    def entry(self, article: ArticleView) -> FeedEntry:
        """The article as a feed entry, the same in every feed that carries it; kept with what
        it read, and reused while all of that is the same."""
        views = self.views
        key = ("feed entry", repr(article), self._settings)
        found = self._entries.pop(key, None)
        if found is not None and found[3] != self._generation \
                and found[2] != fingerprints(views, found[1]):
            found = None  # made in an earlier build, from values that changed since
        if found is None:
            with views.recorder.capture() as reads:
                made = self._entry(article)
            found = (made, reads, fingerprints(views, reads), self._generation)
        else:
            views.recorder.replay(found[1])
            found = (*found[:3], self._generation)  # checked: the same for this build
        self._entries[key] = found  # most recently used last
        if len(self._entries) > ENTRIES_KEPT:
            del self._entries[next(k for k in self._entries if k != "generation")]
        return found[0]

    def _entry(self, article: ArticleView) -> FeedEntry:
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
        body = urls.rebase(article.body_html, article.url)
        entry.content(absolutize(body, base), type="html")
        for tag in article.tags:
            entry.category(term=tag.name)
        return entry


def fingerprints(views: Views, reads: Reads) -> list[str]:
    return [views.fingerprint(identity, tuple(sorted(reads[identity])))
            for identity in sorted(reads)]
