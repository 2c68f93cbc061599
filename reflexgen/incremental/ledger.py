"""The incremental bookkeeping of one build: what the last build left, what content/ holds,
whether anything changed, and what this build records for the next one. Light to import: a
build with nothing to do needs no more."""

from __future__ import annotations

import math
import pickle
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from reflexgen.config import SiteConfig
from reflexgen.content.discover import Inventory, discover, restamp
from reflexgen.content.model import Article, Site
from reflexgen.errors import Problem, Reporter
from reflexgen.hashing import code_id, content_hash, digest
from reflexgen.incremental.cache import Cache, Output, State, Summary
from reflexgen.render.themes import Theme
from reflexgen.site.addresses import Address, Move, addresses, moves


def take_inventory(content: Path, cache: Cache,
                   changed: Collection[Path] | None) -> tuple[Inventory, list[Problem]]:
    """What content/ holds: the last inventory with the `changed` files restamped when no
    file came or went, else a walk of the whole folder."""
    last, found = cache.inventory, None
    if changed is not None and last is not None:
        root = content.absolute()
        inside = [p.relative_to(root).as_posix() for p in changed if p.is_relative_to(root)]
        found = restamp(last[0], content, inside)
    inventory, warnings = (found, last[1]) if found is not None else discover(content)
    cache.inventory = (inventory, warnings)
    return inventory, list(warnings)


def theme_digest(theme: Theme) -> str:
    """The theme's files by stamp: its templates, strings and assets."""
    stamps = []
    for path in theme.files():
        info = path.stat()
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return digest(stamps)


def stamps_digest(stamps: dict[str, tuple[int, int]]) -> str:
    """The files of content/ by stamp, in the order of the walk (always the same for the
    same files): pickled rather than written out, which costs a second at 100,000
    articles."""
    return content_hash(pickle.dumps(tuple(stamps.items()), protocol=5))


class Ledger:
    """Opened at the start of a build with the cache; `close` records the build."""

    def __init__(self, cache: Cache, config: SiteConfig, theme: Theme, output: Path,
                 clean: bool, changed: Collection[Path] | None, reporter: Reporter) -> None:
        self.cache, self.output, self.clean = cache, output, clean
        self.reporter = reporter
        self.inventory, self.warnings = take_inventory(config.content_dir, cache, changed)
        self.summary = Summary() if clean else cache.summary
        self._rejected, cache.rejected = cache.rejected, False
        if self._rejected:
            reporter.warn(self.rejected())
        self.themed = theme_digest(theme)
        self.comments = config.comments
        self.state = State()

    def rejected(self) -> Problem:
        return Problem("the build cache was corrupted or written elsewhere; rebuilding it",
                       self.cache.folder)

    def inputs(self, config: SiteConfig, drafts: bool, future: bool) -> str:
        """Everything a build reads, by stamp: equal digests mean an identical site."""
        site_toml = (config.root / "site.toml").stat()
        return digest(code_id(), drafts, future, str(self.output), str(config.root),
                      config.comments.endpoint,  # `BuildOptions.comment_endpoint` may set it
                      config.search,  # and `BuildOptions.search` this one
                      config.hosting.precompress,  # and `BuildOptions.precompress` this one
                      site_toml.st_mtime_ns, site_toml.st_size,
                      stamps_digest(self.inventory.stamps), self.themed)

    def up_to_date(self, inputs: str, now: datetime) -> bool:
        summary = self.summary
        return summary.inputs == inputs and now.timestamp() < summary.ready_until \
            and self._same_output()

    def load(self) -> State:
        """The last build's index (sources and outputs), once the build has work to do."""
        # Even a clean build knows where pages were: it must tell when one moved.
        self.state = State(addresses=self.cache.load_addresses()) if self.clean \
            else self.cache.load_state()
        self.say_rejected()
        return self.state

    def say_rejected(self) -> None:
        """Warn, once a build, that a file of the cache was unusable (it is made again)."""
        if self.cache.rejected and not self._rejected:
            self._rejected = True
            self.reporter.warn(self.rejected())

    def previous_outputs(self) -> dict[str, Output]:
        """The last build's outputs, if they went to this output folder and are still there."""
        return self.state.outputs if self._same_output() else {}

    def _same_output(self) -> bool:
        return self.summary.output_dir == str(self.output) and self.output.is_dir()

    def locate(self, site: Site, same_plan: bool) -> tuple[dict[str, tuple], list[Move]]:
        """Where each article and page is, and those whose address changed since the last
        build; nothing to work out while the blueprint keeps its shape."""
        last = self.state.addresses
        if same_plan and last:
            return last, []
        now = addresses(site)
        return now, moves({source: Address(*address) for source, address in last.items()}, now)

    def plan_stamp(self, shape: str) -> str:
        """The blueprint's shape, the theme and the code: while it stays, only the articles
        read again can have changed."""
        return digest(shape, self.themed, code_id())

    def until(self, articles: list[Article], now: datetime, future: bool) -> float:
        """Until when a site of these articles stays as it is: it changes when a future
        article's date comes (unless future ones are shown) and when a thread closes by age
        (`[comments] close_after_days`)."""
        moments = [] if future else [a.date for a in articles if a.date > now]
        moments += [closes for a in articles
                    if (closes := self.comments.closes(a.date)) is not None and closes > now]
        return min(moments).timestamp() if moments else math.inf

    def close(self, inputs: str, plan_stamp: str, articles: list[Article], fresh: Collection[str],
              outputs: dict[str, Output], addresses: dict[str, tuple], warnings: list[Problem],
              until: float) -> None:
        """Record this build for the next one, and `until` when it stays right."""
        state, inventory = self.state, self.inventory

        def stamp(article: Article) -> tuple:  # the last one's, if the record is the same
            last = state.sources.get(article.source)
            return last[0] if last is not None and last[1] is article \
                else inventory.article_stamp(article.source, article.shown_images)

        self.cache.save(
            Summary(inputs=inputs, plan_stamp=plan_stamp, output_dir=str(self.output),
                    warnings=warnings, files=len(outputs), ready_until=until),
            State(sources={a.source: (stamp(a), a) for a in articles},
                  outputs=outputs, addresses=addresses),
            changed=set(fresh) | (state.sources.keys() - set(inventory.posts)),
            dropped={a.digest for _, a in state.sources.values()} - {a.digest for a in articles})
