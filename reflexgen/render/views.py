"""What templates see: view objects and one context per job, built from the `Site`."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import groupby
from typing import Any

from markupsafe import Markup

from reflexgen import urls
from reflexgen.content.model import Article, Author, Body, Site, Taxon, Thread, place
from reflexgen.render import structured
from reflexgen.site.plan import Job
from reflexgen.site.related import Related

OG_LOCALES = {"fr": "fr_FR", "en": "en_US"}  # Open Graph wants a territory
WORDS_PER_MINUTE = 230
AVATAR_COLOURS = 8


@dataclass(frozen=True)
class Link:
    """A tag or category as an article shows it."""

    name: str
    url: str


@dataclass(frozen=True)
class PageLink:
    """A page in the site menu: only what the menu shows, so every page keys on just that."""

    title: str
    url: str


@dataclass(frozen=True)
class TaxonEntry:
    """A tag or category in an index, with its number of articles."""

    name: str
    url: str
    count: int


@dataclass(frozen=True)
class CommentView:
    id: str
    author: str
    url: str | None
    date: datetime
    body_html: Markup
    by_author: bool
    replies: tuple[CommentView, ...]


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


@dataclass(eq=False)
class ArticleView:
    """What templates see of an article. What listings show is set at once; the body, the
    comments and the word count load on first use, through `load`, which records it."""

    title: str
    url: str
    date: datetime
    updated: datetime | None
    authors: tuple[Author, ...]
    tags: tuple[Link, ...]
    category: Link | None
    summary_html: Markup
    image: str | None
    reading_minutes: int
    comment_count: int
    comments_open: bool
    draft: bool
    future: bool
    pinned: bool
    lang: str | None
    extra: dict[str, Any]
    record: Article = field(repr=False)
    load: Callable[[Article], Body] = field(repr=False)

    @cached_property
    def words(self) -> int:
        self.load(self.record)
        return self.record.words

    @cached_property
    def body_html(self) -> Markup:
        return Markup(self.load(self.record).html)

    @cached_property
    def comments(self) -> tuple[CommentView, ...]:
        names = {a.name.casefold() for a in self.authors}
        ids = {a.id for a in self.authors}

        def view(thread: Thread) -> CommentView:
            c = thread.comment
            by_author = c.author_id in ids if c.author_id else c.author.casefold() in names
            return CommentView(c.id, c.author, c.url, c.date, Markup(c.body_html), by_author,
                               tuple(view(r) for r in thread.replies))

        return tuple(view(t) for t in self.load(self.record).threads)


@dataclass(frozen=True)
class SeriesView:
    name: str
    url: str
    number: int  # this article's place in the series, from 1
    total: int
    previous: ArticleView | None
    next: ArticleView | None


def initials(name: str) -> str:
    letters = [w[0] for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def colour(name: str) -> int:
    return int(hashlib.sha1(name.casefold().encode()).hexdigest(), 16) % AVATAR_COLOURS


class Views:
    """Builds each article's view once and the context of any job on demand."""

    def __init__(self, site: Site, related: Related) -> None:
        self.site = site
        self.related = related
        self._articles: dict[int, ArticleView] = {}
        self.touched: set[str] = set()  # articles whose body the current page used
        self.tag_by_name = {t.name: t for t in site.tags}
        self.tag_by_slug = {t.slug: t for t in site.tags}
        self.category_by_slug = {c.slug: c for c in site.categories}
        self.series_by_slug = {s.slug: s for s in site.series}

    def article(self, index: int) -> ArticleView:
        view = self._articles.get(index)
        if view is None:
            view = self._articles[index] = self._article_view(self.site.articles[index])
        return view

    def _article_view(self, article: Article) -> ArticleView:
        tags = tuple(self._link(self.tag_by_slug[urls.slug(t)]) for t in article.tags)
        category = self._link(self.category_by_slug[urls.slug(article.category)]) \
            if article.category else None
        return ArticleView(
            title=article.title, url=article.url, date=article.date, updated=article.updated,
            authors=tuple(self.site.authors[a] for a in article.authors), tags=tags,
            category=category, summary_html=Markup(urls.rebase(article.summary_html, article.url)),
            image=article.image,
            reading_minutes=reading_minutes(article.words),
            comment_count=article.comment_count, comments_open=article.comments_open,
            draft=article.draft, future=article.future, pinned=article.pinned,
            lang=article.lang, extra=article.extra,
            record=article, load=self.load_body)

    def series_of(self, index: int) -> SeriesView | None:
        """Where an article stands in its series, with the episodes before and after it."""
        article = self.site.articles[index]
        if not article.series:
            return None
        series = self.series_by_slug[urls.slug(article.series)]
        number, before, after = place(series.articles, index)
        return SeriesView(series.name, series.url, number, len(series.articles),
                          None if before is None else self.article(before),
                          None if after is None else self.article(after))

    def load_body(self, article: Article) -> Body:
        self.touched.add(article.source)
        return self.site.bodies[article.source]

    @staticmethod
    def _link(taxon: Taxon) -> Link:
        return Link(taxon.name, taxon.url)

    @staticmethod
    def _entries(taxa: tuple[Taxon, ...]) -> list[TaxonEntry]:
        return [TaxonEntry(t.name, t.url, len(t.articles)) for t in taxa]

    @cached_property
    def common(self) -> dict[str, Any]:
        config = self.site.config
        return {
            "site": config, "site_pages": [PageLink(p.title, p.url) for p in self.site.pages],
            "og_locale": OG_LOCALES.get(config.language, config.language),
            "has_categories": bool(self.site.categories),
        }

    def context(self, job: Job) -> dict[str, Any]:
        """Variables for `job`'s template; each kind adds what its page shows."""
        ctx = dict(self.common)
        ctx["job"] = job
        ctx["canonical"] = urls.absolute(self.site.config.base_url, job.url)
        ctx["pagination"] = pagination(job)
        ctx["articles"] = [self.article(i) for i in job.items]
        ctx["feeds"] = []
        ctx["structured_data"] = None
        ctx["comments_feed"] = None
        ctx["series"] = None
        if job.kind == "article":
            ctx["article"] = self.article(job.key)  # type: ignore[arg-type]
            ctx["articles"] = [self.article(i) for i in self.related(job.key)]  # type: ignore
            ctx["series"] = self.series_of(job.key)  # type: ignore[arg-type]
            record = self.site.articles[job.key]  # type: ignore[index]
            if record.comment_count:
                ctx["comments_feed"] = urls.comments_feed(record.url)
            ctx["structured_data"] = Markup(structured.script(
                structured.blog_posting(self.site, record, self.load_body(record))))
        elif job.kind == "page":
            page = self.site.pages[job.key]  # type: ignore[index]
            ctx["page"] = page
            ctx["body_html"] = Markup(page.body_html)
        elif job.kind in ("tag", "category"):
            taxon = (self.tag_by_slug if job.kind == "tag" else self.category_by_slug)[job.key]
            ctx["taxon"] = taxon
            ctx["feeds"] = [taxon.url]
        elif job.kind == "author":
            author = self.site.authors[job.key]  # type: ignore[index]
            ctx["author"] = author
            ctx["structured_data"] = Markup(structured.script(structured.profile(self.site,
                                                                                 author)))
            ctx["feeds"] = [author.url]
        elif job.kind == "home":
            ctx["structured_data"] = Markup(structured.script(structured.home(self.site)))
        elif job.kind == "series":
            ctx["taxon"] = self.series_by_slug[job.key]  # type: ignore[index]
        elif job.kind == "tags":
            ctx["taxa"] = self._entries(self.site.tags)
        elif job.kind == "categories":
            ctx["taxa"] = self._entries(self.site.categories)
        elif job.kind == "archives":
            ctx["years"] = archive(self, job.items)
            ctx["articles"] = []
        elif job.kind == "redirect":
            ctx["target"] = job.key
            ctx["canonical"] = urls.absolute(self.site.config.base_url, job.key)  # type: ignore
        return ctx


@dataclass(frozen=True)
class Pagination:
    number: int
    pages: int
    prev_url: str | None
    next_url: str | None


def pagination(job: Job) -> Pagination:
    first = job.url if job.number == 1 else job.url[: job.url.rindex("page/")]
    prev_url = urls.paged(first, job.number - 1) if job.number > 1 else None
    next_url = urls.paged(first, job.number + 1) if job.number < job.pages else None
    return Pagination(job.number, job.pages, prev_url, next_url)


def archive(views: Views, items: tuple[int, ...]) -> list[tuple[int, list[tuple[int, list]]]]:
    """[(year, [(month, [articles])])], newest first."""
    tz = views.site.config.tz
    local = [(views.site.articles[i].date.astimezone(tz), i) for i in items]
    years = []
    for year, in_year in groupby(local, key=lambda d: d[0].year):
        months = [(month, [views.article(i) for _, i in in_month])
                  for month, in_month in groupby(in_year, key=lambda d: d[0].month)]
        years.append((year, months))
    return years
