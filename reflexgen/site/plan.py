"""Plan the outputs: one job per page or feed, each naming its template and inputs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.content.model import Site, Taxon
from reflexgen.errors import BuildError, Problem
from reflexgen.site.redirects import Redirect

FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml"}  # each format's file name in its folder
SITE_FEED_FORMATS = ("rss", "atom")  # the site's own feeds: both, with full content


class JobKind(StrEnum):
    """What a page shows (an HTML page, or a file for machines rendered from a template the
    same way: the OPML file, the feeds' stylesheet); templates compare `job.kind` with these
    strings."""

    ARTICLE = "article"
    PAGE = "page"
    HOME = "home"
    TAG = "tag"
    CATEGORY = "category"
    AUTHOR = "author"
    SERIES = "series"
    TAGS = "tags"
    CATEGORIES = "categories"
    ARCHIVES = "archives"
    SEARCH = "search"
    NOT_FOUND = "404"
    REDIRECT = "redirect"
    SUBSCRIBE = "subscribe"  # every feed of the site, to copy into a feed reader
    OPML = "opml"  # the same feeds as an OPML file, for readers that import a list
    FEED_STYLE = "feed-style"  # the XSLT stylesheet that shows a feed as a page


@dataclass(frozen=True)
class Job:
    """One HTML page to render. `items` are article indices shown on a listing page; `key`
    names what the page is about: an article or page index, a slug, an author id, or the
    target of a redirect."""

    kind: JobKind  # what the page shows: "article", "tag", "home"… (see the list above)
    url: str  # its path
    template: str  # the template that renders it
    source: str
    key: str | int | None = None  # what it is about: a slug, an author id, a redirect's target
    number: int = 1  # its number in a listing split into pages, from 1
    pages: int = 1  # how many pages that listing has
    items: tuple[int, ...] = ()
    # the feeds it offers: a tag's, category's or author's pages theirs, the subscribe page
    # and the OPML file every one but the discussions'
    feeds: tuple[FeedJob, ...] = ()
    output: str = field(init=False)  # the file it writes, relative to the output folder

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", safe_output(self.url, self.source))


def safe_output(url: str, source: str) -> str:
    """The output file of `url`, or an error naming what asked for a URL outside the site."""
    try:
        return urls.output_path(url)
    except ValueError:
        raise BuildError(Problem(f"{source} would be written outside the output folder "
                                 f"({url!r})", hint="check its slug and the permalink "
                                                    "pattern")) from None


@dataclass(frozen=True)
class FeedJob:
    """One feed: the site's, a tag's, a category's or an author's, in RSS or Atom, or a
    discussion's; its entries carry the whole article (`content` "full") or its summary."""

    scope: str
    key: str | None
    format: str
    url: str
    page_url: str
    items: tuple[int, ...]
    title: str
    content: str = "full"  # "full" or "summary" (see [feeds] taxonomy_content)
    output: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", safe_output(self.url, f"the {self.scope} feed"))


def plan(site: Site, moved: list[Redirect]) -> tuple[list[Job], list[FeedJob]]:
    """Every page and feed of the site, and a page for each old URL that `moved` (one a file
    can answer); raises if two of them would write the same file."""
    per_page = site.config.paginate
    content = "content/"
    everything = tuple(range(len(site.articles)))
    jobs: list[Job] = []
    for index, article in enumerate(site.articles):
        jobs.append(Job(JobKind.ARTICLE, article.url, "article.html", content + article.source,
                        index))
    for index, page in enumerate(site.pages):
        jobs.append(Job(JobKind.PAGE, page.url, "page.html", content + page.source, index))
    pinned = tuple(i for i, a in enumerate(site.articles) if a.pinned)
    home = pinned + tuple(i for i, a in enumerate(site.articles) if not a.pinned)
    jobs += paginate(JobKind.HOME, "/", home, per_page, "index.html", "home page", None)
    for kind, taxa in ((JobKind.TAG, site.tags), (JobKind.CATEGORY, site.categories)):
        for taxon in taxa:
            jobs += paginate(kind, taxon.url, taxon.articles, per_page, "list.html",
                             f"{kind} {taxon.name!r}", taxon.slug)
    profiles = [a for a in site.authors.values() if a.profile]
    for author in profiles:
        jobs += paginate(JobKind.AUTHOR, author.url, site.author_articles.get(author.id, ()),
                         per_page, "author.html", f"content/{author.source}", author.id)
    jobs += [Job(JobKind.SERIES, s.url, "series.html", f"series {s.name!r}", s.slug,
                 items=s.articles) for s in site.series]
    jobs.append(Job(JobKind.TAGS, "/tags/", "tags.html", "tags index"))
    jobs.append(Job(JobKind.CATEGORIES, "/categories/", "tags.html", "categories index"))
    jobs.append(Job(JobKind.ARCHIVES, "/archives/", "archives.html", "archives", items=everything))
    if search := search_url(site.config):
        jobs.append(Job(JobKind.SEARCH, search, "search.html", "search page"))
    jobs.append(Job(JobKind.NOT_FOUND, "/404.html", "404.html", "404 page"))
    jobs += [Job(JobKind.REDIRECT, urls.alias_path(r.alias), "redirect.html", content + r.source,
                 r.target) for r in moved if r.static]

    title = site.config.title
    scopes: list[tuple[str, str | None, str, tuple[int, ...], str]] = [
        ("site", None, "/", everything, title)]
    scopes += feed_scopes("tag", site.tags, title)
    scopes += feed_scopes("category", site.categories, title)
    scopes += [("author", a.id, a.url, site.author_articles.get(a.id, ()), f"{title} · {a.name}")
               for a in profiles]
    feeds = [feed for scope in scopes for feed in scope_feeds(site.config, *scope)]
    offered = tuple(feeds)  # a discussion's feed is offered on its article alone
    # A tag's, category's or author's pages offer its feeds (the head's links, the page's).
    own: dict[tuple[str, str | None], tuple[FeedJob, ...]] = {}
    for feed in feeds:
        own[(feed.scope, feed.key)] = own.get((feed.scope, feed.key), ()) + (feed,)
    jobs = [replace(job, feeds=own.get((job.kind.value, job.key), ()))
            if job.kind in (JobKind.TAG, JobKind.CATEGORY, JobKind.AUTHOR) else job
            for job in jobs]
    feeds += [FeedJob("comments", a.source, "atom", urls.comments_feed(a.url), a.url, (i,),
                      f"{a.title} · {title}") for i, a in enumerate(site.articles)
              if a.comment_count]  # follow a discussion
    language = site.config.language
    jobs += [Job(JobKind.SUBSCRIBE, urls.localised("subscribe", language), "subscribe.html",
                 "subscribe page", feeds=offered),
             Job(JobKind.OPML, urls.localised("opml", language), "subscriptions.opml", "OPML file",
                 feeds=offered),
             Job(JobKind.FEED_STYLE, urls.FEED_STYLE, "feed.xsl", "feed stylesheet")]
    check_reserved(site, jobs)
    check_clashes([(j.output, j.source) for j in jobs] +
                  [(f.output, f"{f.scope} feed") for f in feeds] +
                  [(s.output, s.source) for s in site.static_files] +
                  [(r.alias, content + r.source) for r in moved if not r.static])
    return jobs, feeds


def search_url(config: SiteConfig) -> str | None:
    """The search page's path, in the site's language; None with `search = false`."""
    return urls.localised("search", config.language) if config.search else None


def scope_feeds(config: SiteConfig, scope: str, key: str | None, page_url: str,
                items: tuple[int, ...], title: str) -> list[FeedJob]:
    """The feeds of the site (`scope` "site") or of a tag, category or author, as
    `[feeds]` asks: the one place that decides which feed files exist."""
    settings = config.feeds
    formats, content = (SITE_FEED_FORMATS, "full") if scope == "site" else \
        (settings.taxonomy_formats, settings.taxonomy_content)
    return [FeedJob(scope, key, fmt, page_url + FEED_FILES[fmt], page_url,
                    items[:config.feed_limit], title, content) for fmt in formats]


def feed_scopes(scope: str, taxa: tuple[Taxon, ...], title: str):
    return [(scope, t.slug, t.url, t.articles, f"{title} · {t.name}") for t in taxa]


def paginate(kind: JobKind, url: str, items: tuple[int, ...], per_page: int, template: str,
             source: str, key: str | None) -> list[Job]:
    """Split a listing into pages: `url`, then `url/page/2/`…; always at least one page."""
    chunks = [items[i: i + per_page] for i in range(0, len(items), per_page)] or [()]
    return [Job(kind, urls.paged(url, n), template, source, key, n, len(chunks), chunk)
            for n, chunk in enumerate(chunks, start=1)]


# Output folders of content-named files that reflexgen makes (cached for a year, see
# `site.caching`): nothing of content/ may be published there.
MADE_FOLDERS = {"theme/": "the theme's files", urls.RESIZED.lstrip("/"): "resized photos"}


def check_reserved(site: Site, jobs: list[Job] | None = None) -> None:
    """No file of content/, and no page, may be published in a folder of content-named
    files (a page there would be cached for a year)."""
    problems = [Problem(f"content/{item.output} would be published among {what}, in /{folder}",
                        site.config.content_dir / item.output,
                        hint=f"move it out of content/{folder} (another folder name keeps it "
                             "published as it is)")
                for item in site.static_files for folder, what in MADE_FOLDERS.items()
                if item.output.casefold().startswith(folder)]
    problems += [Problem(f"{job.source} would be published among {what}, at {job.url}",
                         hint="give it another slug (or change the permalink pattern)")
                 for job in jobs or () for folder, what in MADE_FOLDERS.items()
                 if job.output.casefold().startswith(folder)]
    if problems:
        raise BuildError(problems)


def check_clashes(outputs: list[tuple[str, str]]) -> None:
    """Two sources must never write the same file (compared case-insensitively)."""
    seen: dict[str, str] = {}
    problems = []
    for output, source in outputs:
        folded = output.casefold()
        if folded in seen:
            problems.append(Problem(f"{seen[folded]} and {source} would both be written to "
                                    f"{output}", hint="change the slug or the permalink pattern"))
        else:
            seen[folded] = source
    if problems:
        raise BuildError(problems)

