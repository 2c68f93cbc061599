"""Render what is out of date, stage what changed, then commit it to the output folder."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reflexgen.errors import Reporter
from reflexgen.hashing import content_hash
from reflexgen.incremental import search
from reflexgen.incremental.cache import Output
from reflexgen.incremental.compress import precompress
from reflexgen.incremental.dependencies import Dependencies
from reflexgen.incremental.parallel import run_all
from reflexgen.render.templates import Renderer
from reflexgen.render.writer import Staging
from reflexgen.site.blueprint import Blueprint
from reflexgen.site.plan import FeedJob, Job, JobKind


class Known:
    """The outputs the last build recorded, checked against the output folder as it is (or
    `trusted` to be still there)."""

    def __init__(self, previous: dict[str, Output], output: Path, trusted: bool = False):
        self.records = dict(previous)
        self.output = output
        self.trusted = trusted

    def current(self, rel: str, key: str, dependencies: Dependencies | None = None) -> bool:
        """Whether `rel` was last made from inputs with this key, read nothing that changed
        since, and is still there."""
        record = self.records.get(rel)
        if record is None or record.key != key:
            return False
        if dependencies is not None and dependencies.read_changed(record.reads):
            return False
        if not self.trusted and not os.path.isfile(f"{self.output}/{rel}"):  # deleted by hand
            del self.records[rel]
            return False
        return True


Task = tuple[str, int, str]  # "page" or "feed", the job's index, its key


def article_order(tasks: list[Task], page_jobs: list[Job], feed_jobs: list[FeedJob]) \
        -> list[Task]:
    """The tasks with each discussion's feed right after its article's page: both read the
    article's body, which the worker that renders them still holds for the feed (see
    workers.BodyStore) instead of loading it again."""
    discussions: dict[int, list[Task]] = {}
    for task in tasks:
        if task[0] == "feed" and feed_jobs[task[1]].scope == "comments":
            discussions.setdefault(feed_jobs[task[1]].items[0], []).append(task)
    pages = {page_jobs[i].key for kind, i, _ in tasks
             if kind == "page" and page_jobs[i].kind is JobKind.ARTICLE}
    ordered = []
    for task in tasks:
        kind, i, _ = task
        if kind == "feed" and feed_jobs[i].scope == "comments" and feed_jobs[i].items[0] in pages:
            continue  # placed after its article's page
        ordered.append(task)
        if kind == "page" and page_jobs[i].kind is JobKind.ARTICLE:
            ordered += discussions.get(page_jobs[i].key, ())  # type: ignore[arg-type]
    return ordered


@dataclass
class OutputReport:
    """The new output record, and which outputs a build rendered, wrote and removed."""

    record: dict[str, Output]
    rendered: list[str]
    written: list[str]
    removed: list[str]
    pages: int
    feeds: int


def write_outputs(blueprint: Blueprint, renderer: Renderer, dependencies: Dependencies,
                  previous: dict[str, Output], same_plan: bool, output: Path,
                  jobs: int, reporter: Reporter, clock, memo: dict,
                  images: Mapping[str, tuple[str, Path]] | None = None,
                  trusted: bool = False, index_now: bool = True) -> OutputReport:
    """Render the pages and feeds that are out of date and write every changed file, and the
    search index with them (`index_now`) or not (the caller then runs
    `search.update_index` after this commit); `images`: the files of the image phase
    (output → key, file in the cache), which also take the place of the static files they
    share an address with.

    `same_plan`: the blueprint is the last build's, so each output keeps the key the last
    build gave it; whether it read what changed is `Dependencies.compare`'s to say."""
    from reflexgen.incremental.workers import RenderWorker, render_one

    site, page_jobs, feed_jobs = blueprint.site, blueprint.page_jobs, blueprint.feed_jobs
    with clock.phase("plan"):
        known = Known(previous, output, trusted)
        outputs: dict[str, Output] = {}
        tasks = []
        for kind, planned, key_of in (("page", page_jobs, dependencies.page),
                                      ("feed", feed_jobs, dependencies.feed)):
            for index, job in enumerate(planned):
                record = previous.get(job.output) if same_plan else None
                key = record.key if record is not None else key_of(job)  # type: ignore
                if known.current(job.output, key, dependencies):
                    outputs[job.output] = previous[job.output]
                else:
                    tasks.append((kind, index, key))
    tasks = article_order(tasks, page_jobs, feed_jobs)
    rendered, written = [], []
    index = dependencies.index
    with Staging(output, full=not previous) as staging:
        with clock.phase("render"):
            results = run_all(
                tasks, lambda: RenderWorker(renderer, page_jobs, feed_jobs, staging.root,
                                            known.records, index, memo),
                render_one, jobs, reporter.progress("rendering", len(tasks)))
            for result in results:
                clock.work[result.kind] = clock.work.get(result.kind, 0.0) + result.seconds
                rendered.append(result.output)
                outputs[result.output] = result.record
                for eid, entry in result.entries.items():
                    index.put(eid, entry)
                if result.written:
                    written.append(result.output)
        with clock.phase("write"):
            for rel, data in (*blueprint.files.items(), *blueprint.assets.files.items()):
                hashed = content_hash(data)
                outputs[rel] = Output(hashed, hashed)
                if not known.current(rel, hashed):
                    staging.write(rel, data)
                    written.append(rel)
            images = images or {}
            for rel, (key, made) in images.items():
                outputs[rel] = Output(key, key)
                if not known.current(rel, key):
                    staging.copy(rel, made)
                    written.append(rel)
            for item in site.static_files:
                if item.output in images:
                    continue
                info = Path(item.source).stat()
                stamp = f"{item.source}:{info.st_mtime_ns}:{info.st_size}"
                outputs[item.output] = Output(stamp, stamp)
                if not known.current(item.output, stamp):
                    staging.copy(item.output, Path(item.source))
                    written.append(item.output)
        if site.config.search:
            outputs.update(search.index_records(previous))
            if index_now:
                with clock.phase("search"):
                    written += search.update_index(page_jobs, outputs, output, staging,
                                                   set(written), previous)[0]
        with clock.phase("compress"):
            written += precompress(outputs, previous, site.config.hosting.precompress, output,
                                   staging, set(written), jobs, reporter, trusted)
        with clock.phase("write"):
            removed = sorted(set(previous) - set(outputs))
            staging.commit(written, removed)
    return OutputReport(outputs, rendered, written, removed, len(page_jobs), len(feed_jobs))
