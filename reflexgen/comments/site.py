"""The site as the intake knows it: the settings, the threads and the theme's pages of the
last build, swapped whole after each rebuild (handlers read one consistent `Snapshot`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from reflexgen.build import CACHE_DIR, BuildOptions, build
from reflexgen.comments.defences import Facts, author_names, read_blocklist
from reflexgen.comments.pages import Pages
from reflexgen.comments.threads import ThreadInfo, published_ids, thread_index
from reflexgen.config import SiteConfig, load_config
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
    """Holds the current `Snapshot`; `rebuild()` builds the site (incrementally) and swaps it.

    `builder` returns the settings and the blueprint of a fresh build: by default the
    intake's own build (`SiteBuilder`); `reflexgen serve` passes its preview's instead."""

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

    @classmethod
    def built(cls, site_dir: Path, reporter: Reporter) -> LiveSite:
        return cls(SiteBuilder(site_dir, reporter))


class SiteBuilder:
    """The intake's own builds: incremental, into the site's output folder (the site served
    beside the intake is current when it starts), with a cache of its own: a build by
    anyone else (`reflexgen build`, `comments publish`) then never leaves the intake with
    an older site, as an up-to-date build assembles nothing. Drafts are left out, as on
    the site; the build runs in this process (`jobs=1`: the server has threads)."""

    def __init__(self, site_dir: Path, reporter: Reporter, output: Path | None = None) -> None:
        cache = site_dir.absolute() / CACHE_DIR / "intake"
        self.options = BuildOptions(site_dir=site_dir, output_dir=output, cache_dir=cache,
                                    jobs=1)
        self.reporter = reporter
        self.cache = Cache(cache)

    def __call__(self) -> tuple[SiteConfig, Blueprint]:
        config, _ = load_config(self.options.site_dir)
        options = replace(self.options, now=datetime.now(UTC))
        quiet = Reporter(verbosity=-1)  # the site's warnings are the editor's, not the intake's
        build(options, quiet, self.cache)
        if self.cache.blueprint is None:  # up to date on disk: nothing was assembled yet
            build(replace(options, clean=True), quiet, self.cache)
        return config, self.cache.blueprint
