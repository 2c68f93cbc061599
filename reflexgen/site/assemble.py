"""Link what the readers produced into one immutable `Site`, checking cross-references."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from reflexgen import urls
from reflexgen.config import SiteConfig
from reflexgen.content import typography
from reflexgen.content.model import Article, Author, Body, Page, Site, StaticFile, Taxon, evolve
from reflexgen.errors import BuildError, Problem
from reflexgen.site.menu import menus

FILES_NAMED = 3  # per spelling, in a warning about a tag written several ways


@dataclass(frozen=True)
class Selection:
    """Which articles a build shows: drafts and future posts only when asked."""

    now: datetime
    drafts: bool = False
    future: bool = False


def assemble(config: SiteConfig, articles: list[Article], bodies: Mapping[str, Body],
             pages: list[Page], authors: list[Author], static: list[StaticFile],
             selection: Selection) -> tuple[Site, list[Problem]]:
    """Resolve authors, comment threads, URLs, tags, categories and menus; raise on broken
    links."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    content = config.root / "content"
    by_id = {a.id: replace(a, url=urls.author_url(a.id)) for a in authors}
    by_name = {a.name.casefold(): a.id for a in by_id.values()}

    kept = []
    for article in articles:
        future = article.date > selection.now
        if (article.draft and not selection.drafts) or (future and not selection.future):
            continue
        author_ids = []
        for ref in article.author_refs:
            found = ref if ref in by_id else by_name.get(ref.casefold())
            if found is None:
                found = "~" + (urls.slug(ref) or "anonyme")
                by_id.setdefault(found, Author(id=found, name=ref, profile=False))
                known = ", ".join(sorted(a for a in by_id if not a.startswith("~"))) or "none"
                warnings.append(Problem(f"author {ref!r} matches no author file", content /
                                        article.source,
                                        hint=f"known authors: {known}; add content/authors/"
                                             f"{urls.slug(ref)}.md for a bio box"))
            author_ids.append(found)
        kept.append(evolve(
            article, future=future, authors=tuple(dict.fromkeys(author_ids)),
            comments_open=article.comments_open
            and not config.comments.closed(article.date, selection.now),
            url=urls.article_url(config.permalink, article.slug, article.date,
                                 article.category)))
    kept.sort(key=lambda a: (-a.date.timestamp(), a.source))

    kept_pages = tuple(replace(p, url=urls.page_url(p.slug)) for p in pages
                       if selection.drafts or not p.draft)
    tags = taxonomy(kept, lambda a: a.tags, urls.tag_url, "tag", content, problems, warnings)
    categories = taxonomy(kept, lambda a: (a.category,) if a.category else (),
                          urls.category_url, "category", content, problems, warnings)
    series = tuple(evolve(s, articles=s.articles[::-1]) for s in taxonomy(
        kept, lambda a: (a.series,) if a.series else (), urls.series_url, "series", content,
        problems, warnings))
    if problems:
        raise BuildError(problems)
    author_articles: dict[str, list[int]] = defaultdict(list)
    for index, article in enumerate(kept):
        for author_id in article.authors:
            author_articles[author_id].append(index)
    # The tagline is text shown like titles: it gets their typography (feeds and meta too).
    shown = replace(config, description=typography.plain(config.description, config.language))
    site = Site(config=shown, articles=tuple(kept), pages=kept_pages, authors=by_id,
                tags=tags, categories=categories, series=series, static_files=tuple(static),
                author_articles={k: tuple(v) for k, v in author_articles.items()},
                bodies=bodies, menus=menus(config, kept_pages))
    return site, warnings


def taxonomy(articles: list[Article], names, url_of, kind: str, content,
             problems: list[Problem], warnings: list[Problem]) -> tuple[Taxon, ...]:
    """Group articles (newest first) by tag (or category, or series) slug, so that
    « Écologie » and « ecologie » are one; a group written several ways gets a warning, and
    is named by the spelling most of its articles use (on a tie, the newest article's)."""
    groups: dict[str, dict[str, list[int]]] = {}  # slug → spelling → articles
    for index, article in enumerate(articles):
        for name in names(article):
            slug = urls.slug(name)
            if not slug:
                problems.append(Problem(f"{kind} {name!r} has no letters or digits for a URL",
                                        content / article.source, hint=f"rename the {kind}"))
                continue
            groups.setdefault(slug, {}).setdefault(name, []).append(index)
    taxa = []
    for slug, spellings in sorted(groups.items()):
        ranked = sorted(spellings, key=lambda name: (-len(spellings[name]), spellings[name][0],
                                                     name))
        if len(ranked) > 1:
            warnings.append(spelling_warning(kind, slug, ranked, spellings, articles, content))
        found = sorted({index for indices in spellings.values() for index in indices})
        taxa.append(Taxon(ranked[0], slug, url_of(slug), tuple(found)))
    return tuple(taxa)


def spelling_warning(kind: str, slug: str, ranked: list[str], spellings: dict[str, list[int]],
                     articles: list[Article], content) -> Problem:
    """The files that write one tag (category, series) in several ways, by spelling, the
    spelling the site uses first; located at the first file that does not use it."""
    def files(indices: list[int]) -> str:
        sources = list(dict.fromkeys(articles[i].source for i in indices))
        more = f" and {len(sources) - FILES_NAMED} more" if len(sources) > FILES_NAMED else ""
        return ", ".join(sources[:FILES_NAMED]) + more

    ways = ", ".join(f"« {name} » ({files(spellings[name])})" for name in ranked)
    return Problem(
        f"{kind} {slug!r} is written {len(ranked)} ways: {ways} — the page uses "
        f"« {ranked[0]} »; write it one way", content / articles[spellings[ranked[1]][0]].source,
        hint=f"the site names a {kind} by the spelling most of its articles use (on a tie, "
             "the newest article's)")
