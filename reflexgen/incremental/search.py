"""The search index: Pagefind run over the site's articles and pages, committed to the
output folder with them, or right after them in a preview (which reloads the browsers
without waiting for it).

Pagefind reads a folder of HTML files. It gets one made of hard links to the pages as the
output folder has them: articles and pages only, never listings. Each page says what to
index (`data-pagefind-body`, see the theme's `search_fields` macro). The index files are
recorded with a key made of the bytes of every page they index: it is made again only when
one of those pages changed, came or went (also after a preview's build killed between its
two commits), and Pagefind names its files by their content, so most of them keep their
name and are not written again. A page that changed only where Pagefind does not read (a
new comment, when comments are not searched) keeps the index as it is: Pagefind reads every
page again, which takes a minute at 10,000 articles.
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
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import cbor2

from reflexgen.errors import BuildError, Problem
from reflexgen.hashing import code_id, content_hash, digest
from reflexgen.incremental.cache import Output
from reflexgen.render.writer import Staging
from reflexgen.site.plan import Job, JobKind

FOLDER = "pagefind/"  # the index, in the output folder
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
          "pagefind-highlight.")  # Pagefind's own interfaces: the theme has its own
NOTHING_TO_INDEX = "not able to build an index"  # what Pagefind 1.5 says of empty pages


def index_records(record: dict[str, Output]) -> dict[str, Output]:
    """The index files among a build's outputs."""
    return {rel: output for rel, output in record.items() if rel.startswith(FOLDER)}


def update_index(jobs: Iterable[Job], record: dict[str, Output], output: Path,
                 staging: Staging | None = None, staged: Collection[str] = (),
                 previous: dict[str, Output] | None = None) -> tuple[list[str], list[str]]:
    """Make the index of the pages `record` holds again if they changed since it was made,
    and record it; the files written and removed. Into `staging` before its commit (the
    pages it `staged` read from there), or else committed at once. Before the commit, with
    the `previous` build's record, pages that changed where Pagefind does not read (a
    comment, a related article, a stylesheet's name) keep the index as it is."""
    pages = sorted(job.output for job in jobs if job.kind in (JobKind.ARTICLE, JobKind.PAGE))
    key = digest(code_id(), [(rel, record[rel].content) for rel in pages])
    last = index_records(record)
    if last and all(o.key == key and os.path.isfile(output / rel) for rel, o in last.items()):
        return [], []
    where = {rel: (staging.root if staging and rel in staged else output) / rel
             for rel in pages}
    if staging and previous and last and same_for_search(pages, previous, record, last,
                                                         output, where):
        for rel, made in last.items():
            record[rel] = Output(key, made.content)
        return [], []
    files = make_index(pages, where, output)
    with nullcontext(staging) if staging else Staging(output, full=False) as into:
        written = []
        for rel, data in files.items():
            hashed = content_hash(data)
            record[rel] = Output(key, hashed)
            if into.full or rel not in last or last[rel].content != hashed \
                    or not os.path.isfile(output / rel):
                into.write(rel, data)
                written.append(rel)
        removed = sorted(set(last) - set(files))
        for rel in removed:
            del record[rel]
        if not staging:
            into.commit(written, removed)
    return written, removed


def same_for_search(pages: list[str], previous: dict[str, Output], record: dict[str, Output],
                    last: dict[str, Output], output: Path, where: dict[str, Path]) -> bool:
    """Whether the index `last` was made from the `previous` versions of exactly these
    `pages` (in the `output` folder still, with the index), and Pagefind reads the same of
    each page that changed since (its new bytes in `where`)."""
    if any(rel not in previous for rel in pages):
        return False  # a new page
    made_from = digest(code_id(), [(rel, previous[rel].content) for rel in pages])
    if {o.key for o in last.values()} != {made_from}:
        return False  # a page went, or the index is older (a preview killed before it)
    if not all(os.path.isfile(output / rel) for rel in last):
        return False
    for rel in pages:
        if previous[rel].content != record[rel].content:
            try:
                old, new = (output / rel).read_bytes(), where[rel].read_bytes()
            except OSError:
                return False
            if content_hash(old) != previous[rel].content or \
                    read_by_pagefind(old) != read_by_pagefind(new):
                return False
    return True


# What Pagefind may take from a page besides its body: its filters, meta and sort keys, a
# title or a heading, an image (the first of the page, even outside the body: an avatar),
# the page's meta tags.
PAGEFIND_READS = ('//*[@*[starts-with(name(), "data-pagefind-")]] | //title | //h1 | //img'
                  " | //meta")


def read_by_pagefind(page: bytes) -> list[bytes]:
    """What Pagefind can read of a page, over-estimated: the attributes of `<html>` (the
    language), every element marked for it (`data-pagefind-body` with all it holds, its
    filters, meta and sort keys) and the title, headings, images and meta tags; all of a page
    without a `data-pagefind-body`."""
    if b"data-pagefind-body" not in page:
        return [page]
    from lxml.etree import tostring  # only when pages changed: not for every build
    from lxml.html import document_fromstring

    root = document_fromstring(page)
    return [repr(sorted(root.attrib.items())).encode(),
            *(tostring(element, with_tail=False) for element in root.xpath(PAGEFIND_READS))]


def make_index(pages: Iterable[str], where: dict[str, Path], beside: Path) -> dict[str, bytes]:
    """Pagefind's files for `pages` (output paths, each read from `where[rel]`), by their
    output path; the links are made in a folder beside `beside` (the same file system,
    named as `Staging` removes what a killed build left)."""
    with tempfile.TemporaryDirectory(dir=beside.parent, prefix=f".{beside.name}.staging-search-") \
            as temp:
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
        if done.returncode and NOTHING_TO_INDEX in done.stderr + done.stdout:
            return {}  # pages a site's own templates left without text: no index, no error
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
