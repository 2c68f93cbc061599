"""Reading the sources with the cache: the records of the files that did not change since the
last build, parsed again only when they did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reflexgen.config import SiteConfig
from reflexgen.content.discover import Inventory
from reflexgen.content.model import Article, Author, Page
from reflexgen.content.readers import Parsers, attempt, read_author, read_page
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.hashing import settings_digest
from reflexgen.incremental.cache import Cache, State
from reflexgen.incremental.parallel import run_all


class Articles(list[Article]):
    """The articles of this build, and how many came from the cache unchanged."""

    reused = 0


STORED_AT_ONCE = 256  # bodies handed to `store` together: few transactions, little held


def read_articles(inventory: Inventory, state: State, config: SiteConfig, key: bytes, jobs: int,
                  reporter: Reporter, store: Callable[[dict[str, bytes]], None] | None = None
                  ) -> tuple[Articles, set[str], dict[str, bytes], list[Problem]]:
    """Cached records for unchanged sources; the others (`fresh`) are parsed, in parallel,
    with their bodies sealed for the cache (see `workers.read_one`). The bodies go to
    `store` (by article digest) as they come, so that a large site's are never all held in
    memory; without one they are returned, by source."""
    from reflexgen.incremental.workers import ReadWorker, read_one

    articles, problems, to_read = Articles(), [], []
    fresh: set[str] = set()
    held: dict[str, bytes] = {}
    batch: dict[str, bytes] = {}
    by_source: dict[str, Article] = {}
    for rel in inventory.posts:
        entry = state.sources.get(rel)
        if entry is not None and entry[0] == inventory.article_stamp(rel, entry[1].shown_images):
            by_source[rel] = entry[1]
        else:
            to_read.append(rel)
    articles.reused = len(by_source)
    content = config.content_dir
    results = run_all(to_read, lambda: ReadWorker(content, config, key), read_one, jobs,
                      reporter.progress("reading", len(to_read)))
    for rel, outcome in zip(to_read, results, strict=True):
        if isinstance(outcome, tuple):
            article, sealed = outcome
            by_source[rel] = article
            fresh.add(rel)
            if store is None:
                held[rel] = sealed
                continue
            batch[article.digest] = sealed
            if len(batch) >= STORED_AT_ONCE:
                store(batch)
                batch = {}
        else:
            problems += outcome
    if batch and store is not None:
        store(batch)
    articles += [by_source[rel] for rel in inventory.posts if rel in by_source]
    return articles, fresh, held, problems


@dataclass
class Sources:
    """What this build read: articles (`fresh`: the sources parsed again; `held`: their
    sealed bodies, by source, when the cache did not take them), authors and pages, and the
    warnings found while reading them."""

    articles: Articles
    fresh: set[str]
    held: dict[str, bytes]
    authors: list[Author]
    pages: list[Page]
    warnings: list[Problem]


def read_sources(inventory: Inventory, state: State, config: SiteConfig, cache: Cache,
                 jobs: int, reporter: Reporter, keep: bool = True) -> Sources:
    """Every source of the site, or a `BuildError` with every problem found; `keep`: the
    bodies parsed again go to the cache, else they are held in memory."""
    content = config.content_dir
    articles, fresh, held, problems = read_articles(
        inventory, state, config, cache.key, jobs, reporter,
        cache.store_bodies if keep else None)
    kept = Kept(cache.small, inventory.stamps, settings_digest(config))
    cache.small = kept.now
    parsers = Parsers()
    authors = kept.read_all(read_author, content, inventory.authors, problems, config, parsers)
    pages = kept.read_all(read_page, content, inventory.pages, problems, config, parsers)
    if problems:
        raise BuildError(problems)
    if config.raw_html == "allow":
        for article in articles:
            if article.raw_html:
                reporter.debug(f"{content / article.source}: raw HTML kept as written "
                               '(raw_html = "allow" in site.toml)')
    reporter.debug(f"read {len(articles)} articles ({len(articles) - articles.reused} parsed), "
                   f"{len(authors)} authors, {len(pages)} pages")
    return Sources(articles, fresh, held, authors, pages,
                   [problem for article in articles for problem in article.warnings])


class Kept:
    """Records of small files (authors, pages) that the last build of a long-lived process
    read, reused while the file's stamp and the settings stay the same; `now` holds this
    build's, for the next."""

    def __init__(self, last: dict, stamps: dict[str, tuple[int, int]], settings: str) -> None:
        self.last, self.now = last, {}
        self.stamps, self.settings = stamps, settings

    def recall(self, reader: Callable, content: Path, rel: str, *args):
        key = (reader.__name__, rel, self.stamps[rel], self.settings)
        record = self.last.get(key)
        if record is None:
            record = attempt(reader, content, rel, *args)
            if isinstance(record, list):  # problems: read again next time
                return record
        self.now[key] = record
        return record

    def read_all(self, reader: Callable, content: Path, paths, problems: list[Problem],
                 *args) -> list:
        """Read small files in this process, collecting every problem."""
        results = []
        for rel in paths:
            outcome = self.recall(reader, content, rel, *args)
            if isinstance(outcome, list):
                problems += outcome
            else:
                results.append(outcome)
        return results
