"""The pipeline in one place: config → discover → read → assemble → plan → render → write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import feeds, sitemap
from .assemble import Selection, assemble
from .config import load_config
from .discover import discover
from .errors import BuildError, Problem, Reporter
from .i18n import load_translator
from .model import StaticFile
from .plan import plan
from .readers import Parsers, read_article, read_author, read_page
from .render import Renderer
from .themes import find_theme
from .writer import StagedOutput, check_target


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path = Path(".")
    output_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    strict: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def output(self) -> Path:
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    feeds: int
    files: int
    seconds: float
    warnings: int


def build(options: BuildOptions, reporter: Reporter) -> BuildResult:
    """Build the site into `options.output`; raise `BuildError` with every problem found."""
    started = time.perf_counter()
    config, warnings = load_config(options.site_dir)
    check_target(options.output, config.root)
    theme = find_theme(config.root, config.theme)
    translator = load_translator(theme, config.language, config.tz)
    content = config.content_dir
    inventory, found = discover(content)
    warnings += found

    parsers = Parsers()
    problems: list[Problem] = []

    def read_each(reader, paths, *args):
        results = []
        for rel in paths:
            try:
                results.append(reader(content, rel, *args))
            except BuildError as exc:
                problems.extend(exc.problems)
            except OSError as exc:
                problems.append(Problem(f"cannot read file: {exc.strerror}", content / rel))
        return results

    parsed = read_each(read_article, inventory.posts, config, parsers)
    articles = [article for article, _ in parsed]
    bodies = {article.source: body for article, body in parsed}
    authors = read_each(read_author, inventory.authors, parsers)
    pages = read_each(read_page, inventory.pages, config, parsers)
    if problems:
        raise BuildError(problems)
    reporter.debug(f"read {len(articles)} articles, {len(authors)} authors, {len(pages)} pages "
                   f"({time.perf_counter() - started:.2f} s)")
    static = [StaticFile(str(content / rel), rel) for rel in inventory.static]
    static += [StaticFile(str(path), "theme/" + rel) for path, rel in theme.static_files()]
    selection = Selection(options.now, options.drafts, options.future)
    site, assembled = assemble(config, articles, bodies, pages, authors, static, selection)
    warnings += assembled
    for warning in warnings:
        reporter.warn(warning)
    if options.strict and warnings:
        raise BuildError([Problem(f"{len(warnings)} warning(s) with --strict",
                                  hint="fix the warnings above, or build without --strict")])

    jobs, feed_jobs = plan(site)
    reporter.debug(f"planned {len(jobs)} pages and {len(feed_jobs)} feeds "
                   f"({time.perf_counter() - started:.2f} s)")
    renderer = Renderer(site, theme, translator)
    with StagedOutput(options.output) as out:
        for job in jobs:
            out.write(job.output, renderer.render(job).encode())
        for feed in feed_jobs:
            out.write(feed.output, feeds.render_feed(site, feed))
        out.write("sitemap.xml", sitemap.render_sitemap(site, jobs))
        out.write("robots.txt", sitemap.render_robots(site))
        for item in site.static_files:
            out.copy(item.output, Path(item.source))
        out.commit()
    return BuildResult(pages=len(jobs), feeds=len(feed_jobs), files=out.files,
                       seconds=time.perf_counter() - started, warnings=len(warnings))
