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

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import cbor2

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
        files = {path.relative_to(bundle).as_posix(): path.read_bytes()
                 for path in sorted(bundle.rglob("*"))
                 if path.is_file() and not path.name.startswith(UNUSED)}
    return {FOLDER + rel: data for rel, data in in_order(files).items()}


def in_order(files: dict[str, bytes]) -> dict[str, bytes]:
    """Pagefind's files with its filter index in a stable order, so the same pages always
    give the same bytes (Pagefind 1.5 lists filters and their values in hash-map order; see
    Pagefind issue #638); files of another layout are left as they are.

    Per language, `pagefind.<lang>_<hash>.pf_meta` names each filter's file
    (`filter/<lang>_<hash>.pf_filter`), and `pagefind-entry.json` names the meta file: all
    gzip-compressed CBOR after a `pagefind_dcd` mark. The filter values are sorted, and the
    files renamed after their new content, as Pagefind names them."""
    try:
        entry = json.loads(files["pagefind-entry.json"])
        ordered = dict(files)
        for language in entry["languages"].values():
            meta_name = f"pagefind.{language['hash']}.pf_meta"
            meta = _load(ordered.pop(meta_name))
            filters = []
            for name, hashed in meta[3]:
                kind, values = _load(ordered.pop(f"filter/{hashed}.pf_filter"))
                data = _dump([kind, sorted(values, key=lambda value: value[0])])
                hashed = f"{hashed.split('_')[0]}_{hashlib.sha1(data).hexdigest()[:7]}"
                ordered[f"filter/{hashed}.pf_filter"] = data
                filters.append([name, hashed])
            meta[3] = sorted(filters)
            data = _dump(meta)
            language["hash"] = f"{language['hash'].split('_')[0]}_" \
                               f"{hashlib.sha1(data).hexdigest()[:10]}"
            ordered[f"pagefind.{language['hash']}.pf_meta"] = data
        ordered["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False,
                                                    separators=(",", ":")).encode()
        return ordered
    except (KeyError, IndexError, TypeError, ValueError, OSError, EOFError,
            cbor2.CBORError):
        return files


MARK = b"pagefind_dcd"


def _load(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(MARK):
        raise ValueError("not a Pagefind index file")
    return cbor2.loads(raw[len(MARK):])


def _dump(value: Any) -> bytes:
    return gzip.compress(MARK + cbor2.dumps(value), mtime=0)
