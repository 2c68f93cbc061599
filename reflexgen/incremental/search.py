"""The search index: Pagefind run over the site's articles and pages, its files staged with
the rest of a build, so the output never holds an index of pages it does not have.

Pagefind reads a folder of HTML files. It gets one made of hard links to the pages as this
build leaves them (staged if they changed, else in the output folder): articles and pages
only, never listings. Each page says what to index (`data-pagefind-body`, see the theme's
`search_fields` macro). The index is made again only when one of those pages changed, came
or went; Pagefind names its files by their content, so most of them keep their name and are
not written again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path

from reflexgen.errors import BuildError, Problem
from reflexgen.site.plan import Job, JobKind

FOLDER = "pagefind/"  # the index, in the output folder
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
          "pagefind-highlight.")  # Pagefind's own interfaces: the theme has its own


def searchable(jobs: Iterable[Job]) -> list[str]:
    """The output files the index reads: articles and pages."""
    return [job.output for job in jobs if job.kind in (JobKind.ARTICLE, JobKind.PAGE)]


def stale(pages: Collection[str], written: Collection[str], gone: Iterable[str],
          index: Collection[str], present: bool) -> bool:
    """Whether the index must be made again: a page changed (`written`) or went (`gone`: the
    outputs the last build had and this one has not), or the index is not there as the last
    build left it (`index`: its files; `present`: all still in place)."""
    return (not index or not present or any(rel in pages for rel in written)
            or any(rel.endswith(".html") for rel in gone))


def make_index(pages: Iterable[str], where: dict[str, Path], scratch: Path) -> dict[str, bytes]:
    """Pagefind's files for `pages` (output paths, each read from `where[rel]`), by their
    output path; `scratch`: a folder on the same file system, for the links."""
    with tempfile.TemporaryDirectory(dir=scratch.parent, prefix=scratch.name) as temp:
        site, bundle = Path(temp) / "site", Path(temp) / "index"
        linked = 0
        for rel in pages:
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(where[rel], target)
            except OSError:  # another file system: a copy
                shutil.copyfile(where[rel], target)
            linked += 1
        if not linked:
            return {}
        # In the scratch folder: Pagefind would read a pagefind.toml in the current folder.
        done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site),
                               "--output-path", str(bundle), "--silent"],
                              cwd=temp, capture_output=True, text=True, errors="replace")
        if done.returncode:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise BuildError(Problem(
                "the search index could not be made: Pagefind says "
                f"{said[-1] if said else f'nothing (exit status {done.returncode})'}",
                hint="reinstall reflexgen (it brings Pagefind), or write search = false in "
                     "site.toml to build without search"))
        return {FOLDER + path.relative_to(bundle).as_posix(): path.read_bytes()
                for path in sorted(bundle.rglob("*"))
                if path.is_file() and not path.name.startswith(UNUSED)}
