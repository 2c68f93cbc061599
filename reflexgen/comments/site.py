"""The site as the intake knows it: the settings, the threads and the theme's pages, swapped
whole when the site changes (handlers read one consistent `Snapshot`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from reflexgen.build import CACHE_DIR, BuildOptions, BuildResult, build, read_site
from reflexgen.comments.defences import Facts, author_names, read_blocklist
from reflexgen.comments.pages import Pages
from reflexgen.comments.threads import ThreadInfo, published_ids, thread_index
from reflexgen.config import SiteConfig
from reflexgen.content.model import Site
from reflexgen.errors import Reporter
from reflexgen.incremental.cache import Cache
from reflexgen.site.blueprint import Blueprint


@dataclass(frozen=True)
class Snapshot:
    config: SiteConfig
    site: Site
    threads: dict[str, ThreadInfo]
    pages: Pages
    authors: frozenset[str]  # the site's own names, reserved (see defences.author_names)
    blocklist: tuple[str, ...]
    _published: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, config: SiteConfig, blueprint: Blueprint, now: datetime) -> Snapshot:
        site = blueprint.site
        threads = thread_index(site, now)
        names = author_names([*(a.name for a in site.authors.values()), *site.authors])
        blocklist = read_blocklist(config.root / config.comments.blocklist) \
            if config.comments.blocklist else ()
        return cls(config, site, threads, Pages(config, blueprint), names, blocklist)

    def facts(self, thread: ThreadInfo) -> Facts:
        """What the defences need to know of the site for a comment on `thread`."""
        published = self._published.get(thread.source)
        if published is None:  # loads the article's body: once per thread and build
            published = self._published[thread.source] = published_ids(self.site,
                                                                       thread.source)
        return Facts(thread, published, self.authors, self.blocklist)


class LiveSite:
    """Holds the current `Snapshot`; `rebuild()` reads the site again and swaps it.

    `builder` returns the settings and the blueprint of the site as it is now: by default
    the intake's `SiteReader`; `reflexgen serve` passes its preview's instead."""

    def __init__(self, builder: Callable[[], tuple[SiteConfig, Blueprint]]) -> None:
        self.builder = builder
        self._lock = threading.Lock()
        self.snapshot: Snapshot = self._make(None)

    def _make(self, last: Snapshot | None) -> Snapshot:
        config, blueprint = self.builder()
        now = datetime.now(UTC)
        if last is not None and last.site is blueprint.site and last.config == config:
            # Nothing changed: the pages are kept, only the threads' closing dates move on.
            threads = thread_index(blueprint.site, now)
            return replace(last, threads=threads) if threads != last.threads else last
        return Snapshot.of(config, blueprint, now)

    def rebuild(self) -> None:
        with self._lock:
            self.snapshot = self._make(self.snapshot)


class SiteReader:
    """The site as the intake sees it: read and assembled from the sources with the cache of
    `reflexgen build` (only read: the records of unchanged files are reused, nothing is
    rendered, neither the cache nor `output/` is written), kept in memory while nothing
    changes. Drafts are left out, as on the site. The publisher builds with it (`build`):
    the site that build assembles is then the reader's next one, not assembled twice."""

    def __init__(self, site_dir: Path) -> None:
        self.options = BuildOptions(site_dir=site_dir)
        self.cache = Cache(site_dir.absolute() / CACHE_DIR)
        self._lock = threading.Lock()  # one reading or build at a time with that cache

    def __call__(self) -> tuple[SiteConfig, Blueprint]:
        # Every core for the first reading, unless threads already run (forking is unsafe).
        jobs = 0 if threading.active_count() == 1 else 1
        with self._lock:
            return read_site(replace(self.options, now=datetime.now(UTC)), self.cache, jobs)

    def build(self, options: BuildOptions, reporter: Reporter) -> BuildResult:
        """`build.build` with this reader's cache, in this process (the server has threads)."""
        with self._lock:
            return build(replace(options, jobs=1), reporter, self.cache)
