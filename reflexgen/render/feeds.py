"""RSS 2.0 and Atom feeds with feedgen: absolute links, stable ids, no build timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.feed import FeedGenerator

from reflexgen import __version__, urls
from reflexgen.content.model import Article, Site, flatten
from reflexgen.site.plan import FeedJob

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ENTRIES_KEPT = 4096  # enough for every feed of a large blog (20 entries each)
ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def entry_id(site: Site, article: Article) -> str:
    """A tag URI from the host, the first publication date and the source file name.

    It survives a switch from http to https and a change of slug or permalink pattern."""
    host = urlsplit(site.config.base_url).hostname or "localhost"
    stem = article.source.removesuffix(".md")
    return f"tag:{host},{article.date:%Y-%m-%d}:{stem}"


def new_feed(title: str, description: str, language: str, updated: datetime) -> FeedGenerator:
    """A feed with what every one of ours carries; its date is its newest entry's, never
    the build's."""
    fg = FeedGenerator()
    fg.title(title)
    fg.description(description)
    fg.language(language)
    fg.generator("reflexgen", __version__, "https://pypi.org/project/reflexgen/")
    fg.updated(updated)
    return fg


def absolutize(html: str, base_url: str) -> str:
    """Feed readers have no page URL to resolve against: make root-relative links absolute."""
    return ROOT_RELATIVE.sub(lambda m: m.group(1) + base_url + "/", html)


class FeedRenderer:
    """Renders feeds; an article's entry (with its absolute-link HTML) is built once, for all
    the feeds it is in."""

    def __init__(self, site: Site, memo: dict | None = None) -> None:
        self.site = site
        # Entries by what they are made of; a long-lived process keeps them between builds.
        self._entries: dict[tuple, FeedEntry] = memo if memo is not None else {}
        # A scope's RSS and Atom jobs are planned side by side: build its feed once.
        self._last: tuple[tuple, FeedGenerator] | None = None

    def render(self, job: FeedJob) -> bytes:
        """One feed document; two builds of the same content give the same bytes."""
        scope = (job.scope, job.key, job.page_url, job.items)
        if self._last is None or self._last[0] != scope:
            make = self.comments if job.scope == "comments" else self.generator
            self._last = (scope, make(job))
        fg = self._last[1]
        base = self.site.config.base_url
        fg.id(urls.absolute(base, job.url))
        fg.link([{"href": urls.absolute(base, job.url), "rel": "self"},  # RSS <link>: the last
                 {"href": urls.absolute(base, job.page_url), "rel": "alternate"}], replace=True)
        if job.format == "rss":
            return fg.rss_str(pretty=True)
        return fg.atom_str(pretty=True)

    def generator(self, job: FeedJob) -> FeedGenerator:
        """The feed of `job`'s scope, ready to be written as RSS or Atom."""
        site = self.site
        config = site.config
        articles = [site.articles[i] for i in job.items]
        fg = new_feed(job.title, config.description or config.title, config.language,
                      max((a.updated or a.date for a in articles), default=EPOCH))
        fg.load_extension("dc", atom=False, rss=True)
        for article in articles:
            fg.add_entry(self.entry(article), order="append")
        return fg

    def comments(self, job: FeedJob) -> FeedGenerator:
        """An article's approved comments, newest first: readers follow the discussion."""
        site = self.site
        article = site.articles[job.items[0]]
        link = urls.absolute(site.config.base_url, article.url)
        comments = sorted(flatten(site.bodies[article.source].threads),
                          key=lambda c: (c.date, c.id), reverse=True)
        fg = new_feed(job.title, job.title, article.lang or site.config.language,
                      max((c.date for c in comments), default=article.date))
        for comment in comments:
            entry = fg.add_entry(order="append")
            entry.id(f"{entry_id(site, article)}:comment-{comment.id}")
            entry.title(f"{comment.author} · {article.title}")
            entry.link(href=f"{link}#comment-{comment.id}")
            entry.published(comment.date)
            entry.updated(comment.date)
            entry.author({"name": comment.author, **({"uri": comment.url} if comment.url else {})})
            entry.content(comment.body_html, type="html")
        return fg

    def entry(self, article: Article) -> FeedEntry:
        """The article as a feed entry, the same in every feed that carries it."""
        site = self.site
        base = site.config.base_url
        names = [site.authors[a].name for a in article.authors]
        # The digest covers the file (title, dates, summary, body, tags); the rest is resolved.
        key = ("feed entry", article.source, article.digest, article.url, tuple(names), base)
        found = self._entries.pop(key, None)
        if found is None:
            found = self._entry(article, names)
        self._entries[key] = found  # most recently used last
        if len(self._entries) > ENTRIES_KEPT:
            del self._entries[next(iter(self._entries))]
        return found

    def _entry(self, article: Article, names: list[str]) -> FeedEntry:
        site = self.site
        base = site.config.base_url
        entry = FeedEntry()
        entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        uid = entry_id(site, article)
        entry.id(uid)
        entry.guid(uid, permalink=False)
        entry.title(article.title)
        entry.link(href=urls.absolute(base, article.url))
        entry.published(article.date)
        entry.updated(article.updated or article.date)
        for name in names:
            entry.author(name=name)
        if names:
            entry.dc.dc_creator(names)
        summary = urls.rebase(article.summary_html, article.url)
        entry.summary(absolutize(summary, base) or article.title, type="html")
        body = urls.rebase(site.bodies[article.source].html, article.url)
        entry.content(absolutize(body, base), type="html")
        for tag in article.tags:
            entry.category(term=tag)
        return entry
