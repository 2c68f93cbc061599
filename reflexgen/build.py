"""The pipeline in one place: config → discover → read → assemble → plan → render → write.

Every build goes through the same steps; the cache only lets a step skip work whose inputs
did not change: unchanged sources are not parsed again, pages whose key (see `keys`) is
unchanged are not rendered, and rendered bytes equal to the old ones are not written.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reflexgen.config import SiteConfig, load_config
from reflexgen.content.discover import Inventory, discover, restamp
from reflexgen.content.model import Article, StaticFile
from reflexgen.errors import BuildError, Problem, Reporter
from reflexgen.hashing import code_id, content_hash, digest
from reflexgen.incremental.cache import Cache, Output, State, Summary
from reflexgen.incremental.parallel import default_jobs, run_all
from reflexgen.render.themes import Theme, find_theme

if TYPE_CHECKING:  # heavy modules, imported only when a build has work to do
    from reflexgen.incremental.dependencies import Keys
    from reflexgen.render.templates import Renderer
    from reflexgen.site.blueprint import Blueprint
    from reflexgen.site.plan import FeedJob, Job
from reflexgen.render.writer import Staging, check_target, recover

CACHE_DIR = ".reflexgen-cache"


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path = Path(".")
    output_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    strict: bool = False
    clean: bool = False
    jobs: int = 0
    cache_dir: Path | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def output(self) -> Path:
        return (self.output_dir if self.output_dir is not None else self.site_dir / "output")


@dataclass(frozen=True)
class BuildResult:
    pages: int
    feeds: int
    files: int
    rendered: tuple[str, ...]
    written: tuple[str, ...]
    removed: tuple[str, ...]
    seconds: float
    warnings: int
    up_to_date: bool
    timings: dict[str, float]
    work: dict[str, float] = field(default_factory=dict)


class Clock:
    """Wall time per phase, for `--profile` and `-v`."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}
        self.work: dict[str, float] = {}  # time spent rendering pages and feeds, all workers

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def theme_digest(theme: Theme) -> str:
    """The theme's files by stamp: its templates, strings and assets."""
    stamps = []
    for path in theme.files():
        info = path.stat()
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return digest(stamps)


def input_digest(config: SiteConfig, themed: str, inventory: Inventory,
                 options: BuildOptions, output: Path) -> str:
    """Everything a build reads, by stamp: equal digests mean an identical site."""
    site_toml = (config.root / "site.toml").stat()
    parts = (code_id(), options.drafts, options.future, str(output), str(config.root),
             site_toml.st_mtime_ns, site_toml.st_size, sorted(inventory.stamps.items()), themed)
    return digest(*parts)


def build(options: BuildOptions, reporter: Reporter, cache: Cache | None = None,
          on_commit: Callable[[tuple[str, ...]], None] | None = None,
          changed: Collection[Path] | None = None) -> BuildResult:
    """Build the site into `options.output`; raise `BuildError` with every problem found.

    A long-lived caller (`reflexgen serve`) passes the same `cache` to every build: it then
    keeps the index, the blueprint and the inventory of content/ in memory between builds, and
    `on_commit(written)` is told as soon as the output folder holds the new site. A caller
    that watches the site and owns the output folder passes the files `changed` since its
    last build: only those are looked at again (content/ is not walked when no file came or
    went), and the outputs that build recorded are taken to be still in place."""
    clock = Clock()
    with clock.phase("config"):
        config, warnings = load_config(options.site_dir)
        output = options.output.absolute()
        check_target(output, config.root)
        if recover(output):
            reporter.warn(Problem("the last build was interrupted while writing; its changes "
                                  "are now complete", output))
        theme = find_theme(config.root, config.theme)
        content = config.content_dir
        if cache is None:
            cache = Cache(options.cache_dir or config.root / CACHE_DIR)
        inventory, found = take_inventory(content, cache, changed)
        warnings += found
        rejected, cache.rejected = cache.rejected, False
        if rejected:
            reporter.warn(cache_rejected(cache))
        summary = Summary() if options.clean else cache.summary
        themed = theme_digest(theme)
        inputs = input_digest(config, themed, inventory, options, output)
    if summary.inputs == inputs and options.now.timestamp() < summary.ready_until \
            and summary.output_dir == str(output) and output.is_dir():
        reporter.debug("nothing changed since the last build")
        report_warnings(summary.warnings, options, reporter)
        return BuildResult(0, 0, summary.files, (), (), (), clock.elapsed,
                           len(summary.warnings), True, clock.phases)
    # Imported only now: an up-to-date check need not load Markdown, Jinja, Babel or lxml.
    from reflexgen.content.readers import Parsers, read_author, read_page
    from reflexgen.incremental.dependencies import Keys
    from reflexgen.incremental.workers import BodyStore
    from reflexgen.render.i18n import load_translator
    from reflexgen.render.templates import Renderer
    from reflexgen.site.assemble import Selection
    from reflexgen.site.blueprint import make_blueprint

    jobs = options.jobs or default_jobs()
    with clock.phase("read"):
        state = State() if options.clean else cache.load_state()
        if cache.rejected and not rejected:
            reporter.warn(cache_rejected(cache))
        translator = load_translator(theme, config.language, config.tz)
        articles, fresh, problems = read_articles(inventory, state, config, cache.key, jobs,
                                                  reporter)
        reindexed = set(fresh) | (state.sources.keys() - set(inventory.posts))
        parsers = Parsers()
        kept = Kept(cache.small, inventory.stamps, digest(sorted(vars(config).items())))
        cache.small = kept.now
        authors = read_all(read_author, content, inventory.authors, problems, kept, config,
                           parsers)
        pages = read_all(read_page, content, inventory.pages, problems, kept, config, parsers)
        if problems:
            raise BuildError(problems)
    warnings += [problem for article in articles for problem in article.warnings]
    if config.raw_html == "allow":
        for article in articles:
            if article.raw_html:
                reporter.debug(f"{content / article.source}: raw HTML kept as written "
                               '(raw_html = "allow" in site.toml)')
    reporter.debug(f"read {len(articles)} articles ({len(articles) - articles.reused} parsed), "
                   f"{len(authors)} authors, {len(pages)} pages ({clock.elapsed:.2f} s)")

    with clock.phase("assemble"):
        static = [StaticFile(str(content / rel), rel) for rel in inventory.static]
        static += [StaticFile(str(path), "theme/" + rel) for path, rel in theme.static_files()]
        cache.store_bodies({a.digest: fresh[a.source] for a in articles if a.source in fresh})
        bodies = BodyStore(cache, content, config, {a.source: a.digest for a in articles}, fresh)
        selection = Selection(options.now, options.drafts, options.future)
        blueprint = cache.blueprint = make_blueprint(config, list(articles), bodies, pages, authors, static,
                                        selection, cache.blueprint)
        warnings += blueprint.warnings
        report_warnings(warnings, options, reporter)

    with clock.phase("plan"):
        previous = state.outputs if summary.output_dir == str(output) and output.is_dir() else {}
        renderer = Renderer(blueprint.site, theme, translator, blueprint.related, cache.templates)
        keys = Keys(blueprint.site, renderer.env, translator.strings, blueprint.related)
        # Outputs keep the keys the last build gave them, unless they show an edited body,
        # when nothing else they are keyed on can have changed (same blueprint, theme and code).
        frame = digest(blueprint.shape, themed, code_id())
        edited = None if summary.frame != frame else frozenset(
            index for index, a in enumerate(blueprint.site.articles) if a.source in fresh)
    report = write_outputs(blueprint, renderer, keys, previous, edited, output, jobs, reporter,
                           clock, cache.memo, trusted=changed is not None)
    if on_commit is not None:
        on_commit(tuple(report.written))

    future_dates = [a.date.timestamp() for a in articles if a.date > options.now]
    with clock.phase("write"):
        cache.save(Summary(
            inputs=inputs, frame=frame, output_dir=str(output), warnings=warnings,
            files=len(report.record),
            ready_until=min(future_dates) if future_dates and not options.future else math.inf),
            State(sources={a.source: (inventory.post_stamps[a.source], a) for a in articles},
                  outputs=report.record),
            changed=reindexed,
            dropped={a.digest for _, a in state.sources.values()} - {a.digest for a in articles})
    return BuildResult(
        pages=report.pages, feeds=report.feeds, files=len(report.record),
        rendered=tuple(report.rendered), written=tuple(report.written),
        removed=tuple(report.removed),
        seconds=clock.elapsed, warnings=len(warnings), up_to_date=False, timings=clock.phases,
        work=clock.work)


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


class Known:
    """The outputs the last build recorded, checked against the output folder as it is (or
    `trusted` to be still there)."""

    def __init__(self, previous: dict[str, Output], output: Path, digests: dict[str, str],
                 trusted: bool = False):
        self.records = dict(previous)
        self.output = output
        self.digests = digests
        self.trusted = trusted

    def current(self, rel: str, key: str) -> bool:
        """Whether `rel` was last made from inputs with this key, and is still there."""
        record = self.records.get(rel)
        if record is None or record.key != key or not all(
                self.digests.get(source) == digest for source, digest in record.touched):
            return False
        if not self.trusted and not os.path.isfile(f"{self.output}/{rel}"):  # deleted by hand
            del self.records[rel]
            return False
        return True


@dataclass
class OutputReport:
    """The new output record, and which outputs a build rendered, wrote and removed."""

    record: dict[str, Output]
    rendered: list[str]
    written: list[str]
    removed: list[str]
    pages: int
    feeds: int


def write_outputs(blueprint: Blueprint, renderer: Renderer, keys: Keys, previous: dict[str, Output],
                  edited: frozenset[int] | None, output: Path, jobs: int, reporter: Reporter,
                  clock: Clock, memo: dict, trusted: bool = False) -> OutputReport:
    """Render what is out of date, stage what changed, then commit it to the output folder.

    `edited`: when set, the outputs' keys are those of the last build but for the outputs
    that show the bodies of these articles (their pages, and the feeds listing them)."""
    from reflexgen.incremental.workers import RenderWorker, render_one

    site, page_jobs, feed_jobs = blueprint.site, blueprint.page_jobs, blueprint.feed_jobs
    with clock.phase("plan"):
        digests = {a.source: a.digest for a in site.articles}
        known = Known(previous, output, digests, trusted)
        outputs: dict[str, Output] = {}
        tasks = []
        for kind, planned in (("page", page_jobs), ("feed", feed_jobs)):
            for index, job in enumerate(planned):
                record = previous.get(job.output) if edited is not None else None
                if record is not None and not shows_edited(kind, job, edited):  # type: ignore
                    key = record.key
                else:
                    key = keys.page(job) if kind == "page" else keys.feed(job)  # type: ignore
                if known.current(job.output, key):
                    outputs[job.output] = previous[job.output]
                else:
                    tasks.append((kind, index, key))
    rendered, written = [], []
    with Staging(output, full=not previous) as staging:
        with clock.phase("render"):
            results = run_all(
                tasks, lambda: RenderWorker(renderer, page_jobs, feed_jobs, staging.root,
                                            known.records, digests, memo),
                render_one, jobs, reporter.progress("rendering", len(tasks)))
            for result in results:
                clock.work[result.kind] = clock.work.get(result.kind, 0.0) + result.seconds
                rendered.append(result.output)
                outputs[result.output] = result.record
                if result.written:
                    written.append(result.output)
        with clock.phase("write"):
            for rel, data in blueprint.files.items():
                hashed = content_hash(data)
                outputs[rel] = Output(hashed, hashed)
                if not known.current(rel, hashed):
                    staging.write(rel, data)
                    written.append(rel)
            for item in site.static_files:
                info = Path(item.source).stat()
                stamp = f"{item.source}:{info.st_mtime_ns}:{info.st_size}"
                outputs[item.output] = Output(stamp, stamp)
                if not known.current(item.output, stamp):
                    staging.copy(item.output, Path(item.source))
                    written.append(item.output)
            removed = sorted(set(previous) - set(outputs))
            staging.commit(written, removed)
    return OutputReport(outputs, rendered, written, removed, len(page_jobs), len(feed_jobs))


def shows_edited(kind: str, job: Job | FeedJob, edited: frozenset[int]) -> bool:
    """Whether an output shows the body of an edited article: its page, or a feed."""
    if kind == "feed":
        return not edited.isdisjoint(job.items)
    return job.kind == "article" and job.key in edited  # type: ignore[union-attr]


def cache_rejected(cache: Cache) -> Problem:
    return Problem("the build cache was corrupted or written elsewhere; rebuilding it",
                   cache.folder)


def report_warnings(warnings: list[Problem], options: BuildOptions, reporter: Reporter) -> None:
    for warning in warnings:
        reporter.warn(warning)
    if options.strict and warnings:
        raise BuildError([Problem(f"{len(warnings)} warning(s) with --strict",
                                  hint="fix the warnings above, or build without --strict")])


class Articles(list[Article]):
    """The articles of this build, and how many came from the cache unchanged."""

    reused = 0


def read_articles(inventory: Inventory, state: State, config: SiteConfig, key: bytes, jobs: int,
                  reporter: Reporter) -> tuple[Articles, dict[str, bytes], list[Problem]]:
    """Cached records for unchanged sources; the others are parsed, in parallel, with their
    bodies sealed for the cache (see `workers.read_one`)."""
    from reflexgen.incremental.workers import ReadWorker, read_one

    articles, problems, to_read = Articles(), [], []
    fresh: dict[str, bytes] = {}
    by_source: dict[str, Article] = {}
    for rel in inventory.posts:
        entry = state.sources.get(rel)
        if entry is not None and entry[0] == inventory.post_stamps[rel]:
            by_source[rel] = entry[1]
        else:
            to_read.append(rel)
    articles.reused = len(by_source)
    content = config.content_dir
    results = run_all(to_read, lambda: ReadWorker(content, config, key), read_one, jobs,
                      reporter.progress("reading", len(to_read)))
    for rel, outcome in zip(to_read, results, strict=True):
        if isinstance(outcome, tuple):
            by_source[rel], fresh[rel] = outcome
        else:
            problems += outcome
    articles += [by_source[rel] for rel in inventory.posts if rel in by_source]
    return articles, fresh, problems


class Kept:
    """Records of small files (authors, pages) that the last build of a long-lived process
    read, reused while the file's stamp and the settings stay the same; `now` holds this
    build's, for the next."""

    def __init__(self, last: dict, stamps: dict[str, tuple[int, int]], settings: str) -> None:
        self.last, self.now = last, {}
        self.stamps, self.settings = stamps, settings

    def recall(self, reader, content: Path, rel: str, *args):
        key = (reader.__name__, rel, self.stamps[rel], self.settings)
        record = self.last.get(key)
        if record is None:
            from reflexgen.content.readers import attempt

            record = attempt(reader, content, rel, *args)
            if isinstance(record, list):  # problems: read again next time
                return record
        self.now[key] = record
        return record


def read_all(reader, content: Path, paths, problems: list[Problem], kept: Kept, *args) -> list:
    """Read small files in this process, collecting every problem."""
    results = []
    for rel in paths:
        outcome = kept.recall(reader, content, rel, *args)
        if isinstance(outcome, list):
            problems += outcome
        else:
            results.append(outcome)
    return results


def verify(options: BuildOptions, reporter: Reporter) -> list[Problem]:
    """Build everything from scratch in a temporary folder and compare with the output."""
    with tempfile.TemporaryDirectory(prefix="reflexgen-verify-") as temp:
        fresh = Path(temp) / "output"
        build(replace(options, output_dir=fresh, clean=True, cache_dir=Path(temp) / "cache"),
              Reporter(verbosity=-1))
        return compare_trees(options.output, fresh)


def compare_trees(actual: Path, expected: Path) -> list[Problem]:
    def files(root: Path) -> dict[str, Path]:
        return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}

    have, want = files(actual), files(expected)
    problems = [Problem("missing from the output", actual / rel) for rel in sorted(want.keys()
                                                                                 - have.keys())]
    problems += [Problem("should not be in the output", actual / rel)
                 for rel in sorted(have.keys() - want.keys())]
    problems += [Problem("differs from a full rebuild", actual / rel)
                 for rel in sorted(want.keys() & have.keys())
                 if have[rel].read_bytes() != want[rel].read_bytes()]
    return problems
