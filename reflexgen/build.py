"""The pipeline in one place: config → discover → read → assemble → plan → render → write
(with the search index).

Every build goes through the same steps; the cache only lets a step skip work whose inputs
did not change: unchanged sources are not parsed again, pages that read nothing that changed
(see `incremental.dependencies`) are not rendered, and bytes equal to the old ones are not
written. The bookkeeping lives in `incremental.ledger.Ledger`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reflexgen import urls
from reflexgen.config import SiteConfig, load_config
from reflexgen.content.model import StaticFile
from reflexgen.errors import BuildError, Problem, Reporter, counted
from reflexgen.hashing import digest
from reflexgen.incremental.cache import Cache
from reflexgen.incremental.heap import collector_paused, settle, thawed_after
from reflexgen.incremental.ledger import Ledger
from reflexgen.incremental.parallel import default_jobs
from reflexgen.render.themes import Theme, find_theme
from reflexgen.render.writer import check_target, recover

if TYPE_CHECKING:
    from reflexgen.incremental.sources import Sources
    from reflexgen.site.assets import ThemeAssets
    from reflexgen.site.blueprint import Blueprint

CACHE_DIR = ".reflexgen-cache"
# In the cache, for the builds of other processes: the blueprint of the last layout (see
# `site.blueprint`) and the theme's files as published.
LAYOUT = "layout.pickle"
ASSETS = "assets.pickle"


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
    # Where comment forms post, in place of `[comments] endpoint` (and even without one):
    # `reflexgen serve` gives its own intake's path. Empty: as site.toml says.
    comment_endpoint: str = ""
    search: bool = True  # False: no search index, page or box, whatever site.toml says
    # False: no precompressed copies, whatever `[hosting] precompress` says (a preview's
    # server compresses nothing, and need not wait for it at every edit).
    precompress: bool = True

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
    # The site was assembled and planned anew (False: up to date, or the last build's layout
    # reused, from memory or from the cache; see `site.blueprint`).
    assembled: bool = True


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


@thawed_after
def build(options: BuildOptions, reporter: Reporter, cache: Cache | None = None,
          on_commit: Callable[[tuple[str, ...], dict[str, str], dict[str, str]], None]
          | None = None, changed: Collection[Path] | None = None) -> BuildResult:
    """Build the site into `options.output`; raise `BuildError` with every problem found.

    A long-lived caller (`reflexgen serve`) passes the same `cache` to every build: it then
    keeps the index, the blueprint and the inventory of content/ in memory between builds, and
    `on_commit(written, moved, restyled)` is told as soon as the output folder holds the new
    site (`moved`: old URL → new URL of the pages that moved, see `site.addresses`;
    `restyled`: old URL → new URL of the theme's stylesheets when they alone changed, so
    that the pages differ only by their names). A caller that watches the site and owns the
    output folder passes the files `changed` since its last build: only those are looked at
    again (content/ is not walked when no file came or went), and the outputs that build
    recorded are taken to be still in place."""
    clock = Clock()
    # Gather: settings, theme, what content/ holds.
    with clock.phase("config"), collector_paused():
        config, warnings = site_settings(options)
        output = options.output.absolute()
        check_target(output, config.root)
        if recover(output):
            reporter.warn(Problem("the last build was interrupted while writing; its changes "
                                  "are now complete", output))
        theme = find_theme(config.root, config.theme)
        cache = cache or Cache(options.cache_dir or config.root / CACHE_DIR)
        ledger = Ledger(cache, config, theme, output, options.clean, changed, reporter)
        warnings += ledger.warnings
        inputs = ledger.inputs(config, options.drafts, options.future)
    if ledger.up_to_date(inputs, options.now):
        reporter.debug("nothing changed since the last build")
        report_warnings(ledger.summary.warnings, options, reporter)
        return BuildResult(0, 0, ledger.summary.files, (), (), (), clock.elapsed,
                           len(ledger.summary.warnings), True, clock.phases, assembled=False)
    # Imported only now: an up-to-date check need not load Markdown, Jinja, Babel or lxml.
    from reflexgen.incremental.dependencies import Dependencies
    from reflexgen.incremental.images import process_images
    from reflexgen.incremental.outputs import write_outputs
    from reflexgen.render.i18n import load_translator
    from reflexgen.render.templates import Renderer
    from reflexgen.site.addresses import move_warning

    jobs = options.jobs or default_jobs()
    sources, blueprint = assemble(config, theme, ledger, options, cache, jobs, reporter, clock)
    settle()  # what was read and assembled lives to the end: no collection scans it again
    until = ledger.until(sources.articles, options.now, options.future)
    cache.assembled = inputs, until
    with clock.phase("assemble"):
        warnings += sources.warnings + blueprint.warnings
        # While the blueprint keeps its shape (its URLs are part of it), only the articles
        # read again can have changed, and no page moved.
        plan_stamp = ledger.plan_stamp(blueprint.shape)
        same_plan = ledger.summary.plan_stamp == plan_stamp
        located, moved = ledger.locate(blueprint.site, same_plan)
        warnings += [move_warning(move, config.content_dir) for move in moved if not move.kept]
        report_warnings(warnings, options, reporter)

    with clock.phase("plan"):
        previous = ledger.previous_outputs()
        translator = load_translator(theme, config.language, config.tz)
        renderer = Renderer(blueprint.site, theme, translator, blueprint.related, cache.templates,
                            blueprint.assets.names)
        dependencies = Dependencies(renderer.views, renderer.env, translator.strings,
                                    cache.read_index(fresh=not previous))
        dependencies.compare(sources.fresh if same_plan else None)
    with clock.phase("images"):
        pictures = process_images(blueprint.site, config, cache.folder, cache.key, jobs,
                                  reporter)
        report_warnings(pictures.warnings, options, reporter)
        warnings += pictures.warnings
    # The search index is committed with the pages, or just after them for a caller that
    # wants to know at once (a preview reloads the browsers without waiting for it).
    report = write_outputs(blueprint, renderer, dependencies, previous, same_plan, output, jobs,
                           reporter, clock, cache.memo, pictures.files,
                           trusted=changed is not None, index_now=on_commit is None)
    if on_commit is not None:
        restyled = renamed_stylesheets(cache.published, blueprint.assets.names) \
            if changed and stylesheets_alone(changed, theme) else {}
        on_commit(tuple(report.written), {move.old: move.new for move in moved}, restyled)
        if config.search:
            from reflexgen.incremental.search import update_index

            with clock.phase("search"):
                indexed, unindexed = update_index(blueprint.page_jobs, report.record, output)
            report.written += indexed
            report.removed += unindexed
            if indexed or unindexed:  # the new index files' precompressed copies
                from reflexgen.incremental.compress import precompress_after
                from reflexgen.incremental.search import FOLDER

                with clock.phase("compress"):
                    made, gone = precompress_after(report.record, config.hosting.precompress,
                                                   output, FOLDER, jobs, reporter,
                                                   trusted=changed is not None)
                report.written += made
                report.removed += gone

    cache.published = blueprint.assets.names
    with clock.phase("write"):
        ledger.close(inputs, plan_stamp, sources.articles, sources.fresh, report.record,
                     located, warnings, until)
    return BuildResult(
        pages=report.pages, feeds=report.feeds, files=len(report.record),
        rendered=tuple(report.rendered), written=tuple(report.written),
        removed=tuple(report.removed),
        seconds=clock.elapsed, warnings=len(warnings), up_to_date=False, timings=clock.phases,
        work=clock.work, assembled=not blueprint.kept)


def site_settings(options: BuildOptions) -> tuple[SiteConfig, list[Problem]]:
    """site.toml, with the comment endpoint, search and precompression the options may set
    in place of its own."""
    config, warnings = load_config(options.site_dir)
    if options.comment_endpoint:
        config = replace(config, comments=replace(config.comments,
                                                  endpoint=options.comment_endpoint))
    if not options.search:
        config = replace(config, search=False)
    if not options.precompress and config.hosting.precompress:
        config = replace(config, hosting=replace(config.hosting, precompress=()))
    return config, warnings


def assemble(config: SiteConfig, theme: Theme, ledger: Ledger, options: BuildOptions,
             cache: Cache, jobs: int, reporter: Reporter, clock: Clock,
             keep: bool = True) -> tuple[Sources, Blueprint]:
    """Read the sources (those that changed since the last build) and assemble the site;
    `keep`: store the bodies parsed again in the cache (else they are held in memory)."""
    from reflexgen.incremental.sources import read_sources
    from reflexgen.incremental.workers import BodyStore
    from reflexgen.site.assemble import Selection
    from reflexgen.site.blueprint import make_blueprint, stored

    content = config.content_dir
    with clock.phase("read"), collector_paused():
        sources = read_sources(ledger.inventory, ledger.load(), config, cache, jobs, reporter,
                               keep)
    with clock.phase("assemble"), collector_paused():
        articles = sources.articles
        static = [StaticFile(str(content / rel), rel) for rel in ledger.inventory.static]
        assets = theme_assets(theme, config, ledger, cache)
        bodies = BodyStore(cache, content, config, {a.source: a.digest for a in articles},
                           sources.held)
        selection = Selection(options.now, options.drafts, options.future)
        cache.blueprint = make_blueprint(config, list(articles), bodies, sources.pages,
                                         sources.authors, static, selection, cache.blueprint,
                                         assets, lambda shape: cache.recall(LAYOUT, shape))
        blueprint = cache.blueprint
        if keep:
            cache.keep(LAYOUT, blueprint.shape, lambda: stored(blueprint))
        ledger.say_rejected()  # a file of the cache found unusable while assembling
        reporter.debug("site layout reused: nothing assembled or planned" if blueprint.kept
                       else f"site assembled and planned: {len(blueprint.page_jobs)} pages, "
                            f"{len(blueprint.feed_jobs)} feeds")
    return sources, blueprint


def theme_assets(theme: Theme, config: SiteConfig, ledger: Ledger, cache: Cache) -> ThemeAssets:
    """The theme's files as published, content-named (see `site.assets`), with the
    stylesheet of `accent_color`; read again only when a file of the theme changed."""
    from reflexgen.site.assets import ACCENT, FOLDER, ThemeAssets, accent_stylesheet, publish

    key = digest(ledger.themed, config.accent_color)
    if cache.assets[0] != key:
        assets = cache.recall(ASSETS, key)
        if not isinstance(assets, ThemeAssets):
            files = {FOLDER + rel: path.read_bytes() for path, rel in theme.static_files()}
            if config.accent_color:
                files[ACCENT] = accent_stylesheet(config.accent_color)
            assets = publish(files)
            cache.keep(ASSETS, key, lambda: assets)
        cache.assets = key, assets
    return cache.assets[1]


def stylesheets_alone(changed: Collection[Path], theme: Theme) -> bool:
    """Whether every file that `changed` is a stylesheet of the theme's `static/`."""
    folders = [base / "static" for base in theme.paths]
    return all(path.suffix == ".css" and any(path.resolve().is_relative_to(folder)
                                             for folder in folders) for path in changed)


def renamed_stylesheets(before: dict[str, str], now: dict[str, str]) -> dict[str, str]:
    """Old URL → new URL of the stylesheets published under a new name."""
    return {urls.file_url(before[rel]): urls.file_url(now[rel]) for rel in sorted(now)
            if rel.endswith(".css") and before.get(rel, now[rel]) != now[rel]}


def read_site(options: BuildOptions, cache: Cache,
              jobs: int = 1) -> tuple[SiteConfig, Blueprint]:
    """The site as `build` would assemble it (settings, articles, threads, addresses), with
    nothing rendered and nothing written: the output folder is not touched and the cache
    is only read. `cache` keeps the result: while no input changes, the same blueprint comes
    back (also the one a `build` with that cache just made); `jobs` 0: every core. Raises
    `BuildError` as `build` does; the site's warnings are not said (they are the editor's,
    said by `build`)."""
    quiet = Reporter(verbosity=-1)
    config, _ = site_settings(options)
    theme = find_theme(config.root, config.theme)
    ledger = Ledger(cache, config, theme, options.output.absolute(), False, None, quiet)
    inputs = ledger.inputs(config, options.drafts, options.future)
    made, until = cache.assembled
    if cache.blueprint is not None and made == inputs and options.now.timestamp() < until:
        return config, cache.blueprint
    sources, blueprint = assemble(config, theme, ledger, options, cache,
                                  jobs or default_jobs(), quiet, Clock(), keep=False)
    cache.assembled = inputs, ledger.until(sources.articles, options.now, options.future)
    return config, blueprint


def report_warnings(warnings: list[Problem], options: BuildOptions, reporter: Reporter) -> None:
    for warning in warnings:
        reporter.warn(warning)
    if options.strict and warnings:
        raise BuildError([Problem(f"{counted(len(warnings), 'warning')} with --strict",
                                  hint="fix the warnings above, or build without --strict")])


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
