"""The dependency record: a key per output that changes exactly when what the output shows does.

Each key hashes the inputs a page's view is built from (see `views.Views.context`): the site-wide
part every page shows (settings, menu, UI strings, reflexgen's version), the templates the page's
template pulls in, and the records of what it lists. A listing keys on each article's card (what
listings show), never on its body: a body-only edit re-renders the article and the feeds, not the
home page. A template that reads a body from a listing is caught at render time (`touched`).
"""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment

from reflexgen import urls
from reflexgen.content.model import Article, Site, place
from reflexgen.hashing import code_id, digest
from reflexgen.render.views import reading_minutes
from reflexgen.site.plan import FeedJob, Job
from reflexgen.site.related import Related

# Templates named in extends/include/import/from tags, or rendered through the `fragment()`
# helper (see render.py); COMPUTED finds names given as expressions.
REFERENCE = re.compile(r"""(?:\{%-?\s*(?:extends|include|import|from)\s+|fragment\(\s*)"""
                       r"""["']([^"']+)["']""")
COMPUTED = re.compile(r"""(?:\{%-?\s*(?:extends|include|import|from)\s+|fragment\(\s*)"""
                      r"""(?!["'])""")


class Keys:
    """Computes keys for one assembled site; memoizes per article, author and template."""

    def __init__(self, site: Site, env: Environment, strings: dict, related: Related) -> None:
        self.site = site
        self.related = related
        self.env = env
        config = site.config
        self.site_wide = digest(code_id(), sorted(vars(config).items(), key=lambda i: i[0]),
                                sorted(strings.items()),
                                [(p.title, p.url) for p in site.pages], bool(site.categories))
        # Articles show a tag or category under the spelling of the site's newest use of it.
        self.tag_names = {t.slug: t.name for t in site.tags}
        self.category_names = {c.slug: c.name for c in site.categories}
        self.taxa = {("tag", t.slug): t for t in site.tags}
        self.taxa.update({("category", c.slug): c for c in site.categories})
        self.taxa.update({("series", s.slug): s for s in site.series})
        self.card = cache(self._card)
        self.author = cache(self._author)
        self.template = cache(self._template)
        self.feed_item = cache(self._feed_item)

    def _template(self, name: str) -> str:
        """The template's source and every template it extends, includes, imports or renders
        as a fragment (found by pattern: parsing every template would cost more than the
        rest of an incremental build)."""
        loader = self.env.loader
        assert loader is not None
        seen: dict[str, str] = {}
        pending = [name]
        while pending:
            current = pending.pop()
            if current not in seen:
                seen[current] = source = loader.get_source(self.env, current)[0]
                if COMPUTED.search(source):  # a name known only at render time
                    return digest(sorted((n, loader.get_source(self.env, n)[0])
                                         for n in self.env.list_templates()))
                pending += REFERENCE.findall(source)
        return digest(sorted(seen.items()))

    def _author(self, author_id: str) -> str:
        a = self.site.authors[author_id]
        return digest(a.id, a.name, a.bio_html, a.avatar, a.website, a.social, a.profile, a.url)

    def _card(self, index: int) -> str:
        """What a listing shows of an article: everything but its body and comments."""
        a = self.site.articles[index]
        authors = [(x, self.site.authors[x].name, self.site.authors[x].profile)
                   for x in a.authors]
        tags = [self.tag_names[urls.slug(t)] for t in a.tags]
        category = self.category_names[urls.slug(a.category)] if a.category else None
        return digest(a.card, reading_minutes(a.words), a.url, a.future, tags, category, authors)

    def mention(self, index: int) -> str:
        """What an article page shows of a related article: title, URL, date, category."""
        a = self.site.articles[index]
        category = self.category_names[urls.slug(a.category)] if a.category else None
        return digest(a.title, a.url, a.date, category)

    def series_place(self, article: Article, index: int) -> tuple:
        """What an article page shows of its series: name, place, the episodes around it."""
        if not article.series:
            return ()
        series = self.taxa["series", urls.slug(article.series)]
        number, before, after = place(series.articles, index)
        return (series.name, number, len(series.articles),
                [None if i is None else self.mention(i) for i in (before, after)])

    def page(self, job: Job) -> str:
        site = self.site
        # Never the article indices of the job: they shift when an article is added.
        parts: list[object] = [self.site_wide, self.template(job.template), job.kind, job.url,
                               job.number, job.pages]
        if job.kind == "article":
            article = site.articles[job.key]  # type: ignore[index]
            parts += [self.card(job.key), article.digest, article.words,
                      [self.author(a) for a in article.authors],
                      [self.mention(i) for i in self.related(job.key)],  # type: ignore
                      self.series_place(article, job.key)]  # type: ignore[arg-type]
        elif job.kind == "page":
            page = site.pages[job.key]  # type: ignore[index]
            parts += [page.title, page.body_html, page.lang, page.extra]
        elif job.kind in ("home", "tag", "category", "author", "series"):
            parts += [self.card(i) for i in job.items]
            if job.kind == "author":
                parts.append(self.author(job.key))  # type: ignore[arg-type]
            elif job.kind != "home":
                taxon = self.taxa[job.kind, job.key]
                parts += [taxon.name, len(taxon.articles)]
        elif job.kind in ("tags", "categories"):
            taxa = site.tags if job.kind == "tags" else site.categories
            parts += [(t.name, t.url, len(t.articles)) for t in taxa]
        elif job.kind == "archives":
            parts += [self.card(i) for i in job.items]
        elif job.kind == "redirect":
            parts.append(job.key)
        return digest(*parts)

    def _feed_item(self, index: int) -> str:
        """What a feed shows of an article: all of it (the digest covers the body), its URL
        and its authors' names."""
        a = self.site.articles[index]
        return digest(a.digest, a.url, a.future, [self.site.authors[x].name for x in a.authors])

    def feed(self, job: FeedJob) -> str:
        return digest(self.site_wide, job.scope, job.key, job.format, job.url, job.page_url,
                      job.title, [self.feed_item(i) for i in job.items])
