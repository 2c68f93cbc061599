"""The site's blueprint: the assembled site, its planned pages and feeds, and the files made
from them alone (sitemap, robots.txt, redirect lists, the web server's configuration).

None of it depends on what follows an article's body (see `model.BODY`). The
blueprint is named by its `shape`, a digest of exactly what it is made from; when an edit leaves
the shape unchanged (a body or a comment), the last blueprint is reused with the edited articles
swapped in, which costs nothing next to assembling and planning ten thousand articles again.
A new process finds the last one in the cache (`stored`, `restored`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from reflexgen.config import SiteConfig
from reflexgen.content.model import Article, Author, Body, Page, Site, SiteImage, StaticFile, evolve
from reflexgen.hashing import digest, settings_digest
from reflexgen.site import hosting, redirects, sitemap
from reflexgen.site.assemble import Selection, assemble
from reflexgen.site.assets import ThemeAssets
from reflexgen.site.branding import site_images
from reflexgen.site.plan import FeedJob, Job, plan
from reflexgen.site.related import Related


@dataclass(frozen=True)
class Blueprint:
    shape: str
    site: Site
    page_jobs: list[Job]
    feed_jobs: list[FeedJob]
    files: dict[str, bytes]  # written as they are: sitemap, robots.txt, redirects, hosting
    related: Related
    warnings: list = field(default_factory=list)
    # The theme's files as published (content-named); not part of the shape: an edit of a
    # stylesheet keeps the blueprint, and the pages that link it follow its name (their reads).
    assets: ThemeAssets = field(default_factory=ThemeAssets)
    kept: bool = False  # the last build's, bodies swapped in: nothing assembled or planned


def shape(config: SiteConfig, articles: list[Article], pages: list[Page], authors: list[Author],
          static: list[StaticFile], selection: Selection,
          images: dict[str, SiteImage | None]) -> str:
    """Everything `assemble` and `plan` read: articles by source and head (what follows
    their bodies left out), which of them are in the future, which closed to comments by
    age and which have comments (a discussion feed), the settings, pages, authors and
    static files, and the logo and favicon as read from their files."""
    future = [a.source for a in articles if a.date > selection.now]
    closed = [a.source for a in articles if config.comments.closed(a.date, selection.now)]
    discussed = [a.source for a in articles if a.comment_count]
    return digest(settings_digest(config), selection.drafts, selection.future, future, closed,
                  discussed, [(a.source, a.head) for a in articles], pages, authors, static,
                  images)


def make_blueprint(config: SiteConfig, articles: list[Article], bodies: Mapping[str, Body],
            pages: list[Page], authors: list[Author], static: list[StaticFile],
            selection: Selection, last: Blueprint | None = None,
            assets: ThemeAssets | None = None,
            recall: Callable[[str], object] | None = None) -> Blueprint:
    """The blueprint of these records and the theme's `assets`: `last` (or else the one
    `recall` gives for this shape, kept by another process) updated in place of a new one
    when its shape is the same (only bodies differ), else assembled and planned from
    scratch."""
    assets = assets if assets is not None else ThemeAssets()
    images, measured = site_images(config)  # the logo and favicon, with their sizes
    current = shape(config, articles, pages, authors, static, selection, images)
    if (last is None or last.shape != current) and recall is not None:
        last = restored(recall(current), current, articles)
    if last is not None and last.shape == current:
        return replace(last, site=swap_bodies(last.site, articles, bodies), assets=assets,
                       kept=True)
    site, warnings = assemble(config, articles, bodies, pages, authors, static, selection)
    site = evolve(site, **images)
    warnings += measured
    moved = redirects.collect(site)
    page_jobs, feed_jobs = plan(site, moved)
    files = {"sitemap.xml": sitemap.render_sitemap(site, page_jobs),
             "robots.txt": sitemap.render_robots(site)}
    if moved:
        files["_redirects"] = redirects.render_netlify(moved)
        files["redirects.nginx.conf"] = redirects.render_nginx(moved)
    outputs = [*(j.output for j in page_jobs), *(f.output for f in feed_jobs),
               *(s.output for s in site.static_files), *files]
    files.update(hosting.render_files(site, outputs))
    return Blueprint(current, site, page_jobs, feed_jobs, files, Related(site), warnings,
                     assets)


# What `assemble` resolves of an article beyond its record: the one list of what a swapped
# or restored article keeps of where the blueprint placed it.
PLACED = ("url", "authors", "future", "comments_open")


def placed(article: Article) -> tuple:
    """Where `assemble` placed an article: its PLACED fields."""
    return tuple(getattr(article, name) for name in PLACED)


def place(article: Article, where: tuple) -> Article:
    """The `article` as read, put where `placed` said (another record of the same source)."""
    return evolve(article, **dict(zip(PLACED, where, strict=True)))


def swap_bodies(site: Site, articles: list[Article], bodies: Mapping[str, Body]) -> Site:
    """`site` with the articles whose body changed replaced by their new records (keeping
    what `assemble` resolved, which the equal shape guarantees is still right)."""
    read = {a.source: a for a in articles}
    shown = list(site.articles)
    for index, old in enumerate(shown):
        new = read[old.source]
        if new.digest != old.digest:
            shown[index] = place(new, placed(old))
    return evolve(site, articles=tuple(shown), bodies=bodies)


def stored(blueprint: Blueprint) -> tuple:
    """What a blueprint keeps for another process: all but the articles' records (kept in
    the cache's index: here only where `assemble` placed each), their bodies, the related
    articles (worked out again on demand) and the theme's files (kept apart)."""
    site = blueprint.site
    where = tuple((a.source, placed(a)) for a in site.articles)
    return (evolve(site, articles=(), bodies={}), where, blueprint.page_jobs,
            blueprint.feed_jobs, blueprint.files, blueprint.warnings)


def restored(value: object, shape: str, articles: list[Article]) -> Blueprint | None:
    """The blueprint of that shape from what `stored` gave and the `articles` as read, or
    None if `value` is not one (or names an article that is not there)."""
    if not (isinstance(value, tuple) and len(value) == 6 and isinstance(value[0], Site)):
        return None
    site, where, page_jobs, feed_jobs, files, warnings = value
    read = {a.source: a for a in articles}
    try:
        shown = tuple(place(read[source], at) for source, at in where)
    except (KeyError, TypeError, ValueError):
        return None
    site = evolve(site, articles=shown)
    return Blueprint(shape, site, page_jobs, feed_jobs, files, Related(site), warnings)
