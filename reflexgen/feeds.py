"""RSS 2.0 and Atom feeds with feedgen: absolute links, stable ids, no build timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from . import __version__, urls
from .model import Article, Site
from .plan import FeedJob

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def entry_id(site: Site, article: Article) -> str:
    """A tag URI from the host, the first publication date and the source file name.

    It survives a switch from http to https and a change of slug or permalink pattern."""
    host = urlsplit(site.config.base_url).hostname or "localhost"
    stem = article.source.removesuffix(".md")
    return f"tag:{host},{article.date:%Y-%m-%d}:{stem}"


def absolutize(html: str, base_url: str) -> str:
    """Feed readers have no page URL to resolve against: make root-relative links absolute."""
    return ROOT_RELATIVE.sub(lambda m: m.group(1) + base_url + "/", html)


def feed_title(site: Site, job: FeedJob) -> str:
    if job.scope == "site":
        return site.config.title
    if job.scope == "author":
        name = site.authors[job.key].name  # type: ignore[index]
    else:
        taxa = site.tags if job.scope == "tag" else site.categories
        name = next(t.name for t in taxa if t.slug == job.key)
    return f"{site.config.title} · {name}"


def render_feed(site: Site, job: FeedJob) -> bytes:
    """One feed document; two builds of the same content give the same bytes."""
    config = site.config
    base = config.base_url
    articles = [site.articles[i] for i in job.items]
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(urls.absolute(base, job.url))
    fg.title(feed_title(site, job))
    fg.link(href=urls.absolute(base, job.url), rel="self")  # feedgen: RSS <link> is the last one
    fg.link(href=urls.absolute(base, job.page_url), rel="alternate")
    fg.description(config.description or config.title)
    fg.language(config.language)
    fg.generator("reflexgen", __version__, "https://pypi.org/project/reflexgen/")
    fg.updated(max((a.updated or a.date for a in articles), default=EPOCH))
    for article in articles:
        entry = fg.add_entry(order="append")
        entry.id(entry_id(site, article))
        entry.guid(entry_id(site, article), permalink=False)
        entry.title(article.title)
        entry.link(href=urls.absolute(base, article.url))
        entry.published(article.date)
        entry.updated(article.updated or article.date)
        names = [site.authors[a].name for a in article.authors]
        for name in names:
            entry.author(name=name)
        if names:
            entry.dc.dc_creator(names)
        entry.summary(absolutize(article.summary_html, base) or article.title, type="html")
        body = absolutize(site.bodies[article.source].html, base)
        entry.content(body, type="CDATA" if job.format == "rss" else "html")
        for tag in article.tags:
            entry.category(term=tag)
    if job.format == "rss":
        return fg.rss_str(pretty=True)
    return fg.atom_str(pretty=True)
