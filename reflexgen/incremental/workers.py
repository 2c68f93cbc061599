"""The work done item by item, in worker processes or in-process: read one article, render one
page or feed. Each worker state is built once per process from what the parent assembled."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from reflexgen.config import SiteConfig
from reflexgen.content.model import Article, Body
from reflexgen.content.readers import Parsers, attempt, read_article
from reflexgen.errors import Problem
from reflexgen.hashing import content_hash
from reflexgen.incremental.cache import Cache, Output, ReadIndex, seal, unseal
from reflexgen.incremental.dependencies import Entries, Recording
from reflexgen.render.templates import Renderer
from reflexgen.render.writer import write_file
from reflexgen.site.plan import FeedJob, Job

if TYPE_CHECKING:
    from reflexgen.render.feeds import FeedRenderer


@dataclass
class ReadWorker:
    content: Path
    config: SiteConfig
    key: bytes  # the cache's signing key: bodies travel to the parent already sealed
    parsers: Parsers = field(default_factory=Parsers)


def read_one(worker: ReadWorker, rel: str) -> tuple[Article, bytes] | list[Problem]:
    """Parse one article, or say why it cannot be. The body comes back sealed for the cache:
    pickled once, here in parallel, and unpickled only by the processes that render it."""
    outcome = attempt(read_article, worker.content, rel, worker.config, worker.parsers)
    if isinstance(outcome, list):
        return outcome
    article, body = outcome
    return article, seal(body, worker.key)


class BodyStore(Mapping[str, Body]):
    """Article bodies by source file, unsealed on demand from those `held` in memory or
    loaded from the cache (parsed again if the cache lost one), so a build that renders few
    pages never loads the others; the last few used stay loaded (a page and its feeds)."""

    KEPT = 256

    def __init__(self, cache: Cache, content: Path, config: SiteConfig,
                 digests: dict[str, str], held: dict[str, bytes]) -> None:
        self.cache, self.content, self.config, self.digests = cache, content, config, digests
        self.held = held
        self.loaded: dict[str, Body] = {}

    def __getitem__(self, source: str) -> Body:
        body = self.loaded.pop(source, None)
        if body is None:
            sealed = self.held.get(source)
            body = unseal(sealed, self.cache.key) if sealed is not None \
                else self.cache.load_body(self.digests[source])
            if not isinstance(body, Body):
                body = read_article(self.content, source, self.config, Parsers())[1]
            if len(self.loaded) >= self.KEPT:
                del self.loaded[next(iter(self.loaded))]
        self.loaded[source] = body  # most recently used last
        return body

    def __iter__(self) -> Iterator[str]:
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)


@dataclass(frozen=True)
class RenderResult:
    output: str
    record: Output
    written: bool
    kind: str
    seconds: float
    entries: Entries  # what the page read that the parent does not know yet


@dataclass
class RenderWorker:
    """What a process needs to render pages and feeds and stage their files."""

    renderer: Renderer
    pages: list[Job]
    feeds: list[FeedJob]
    staging: Path
    previous: dict[str, Output]
    index: ReadIndex  # what the parent knows pages read (see dependencies.py)
    memo: dict  # see Cache.memo
    sent: set[bytes] = field(default_factory=set)  # what this process told the parent since
    folders: set[str] = field(default_factory=set)  # made under `staging` by this process

    @cached_property
    def recording(self) -> Recording:
        return Recording(self.renderer.views)

    @cached_property
    def feed_renderer(self) -> FeedRenderer:
        from reflexgen.render.feeds import FeedRenderer  # feedgen and lxml: only if needed

        return FeedRenderer(self.renderer.views, self.memo)


def render_one(worker: RenderWorker, task: tuple[str, int, str]) -> RenderResult:
    """Render one page or feed; stage its bytes only if they differ from the last build's."""
    kind, index, key = task
    started = time.perf_counter()
    job: Job | FeedJob
    if kind == "page":
        job = worker.pages[index]
        html, seen = worker.renderer.render(job)
        data = html.encode()
    else:
        job = worker.feeds[index]
        data, seen = worker.feed_renderer.render(job)
    reads, entries = worker.recording.record(
        seen, lambda eid: eid in worker.sent or worker.index.knows(eid))
    worker.sent.update(entries)
    content = content_hash(data)
    record = Output(key, content, reads)
    previous = worker.previous.get(job.output)
    changed = previous is None or previous.content != content
    if changed:
        write_file(worker.staging, job.output, data, worker.folders)
    return RenderResult(job.output, record, changed, kind, time.perf_counter() - started,
                        entries)
