"""The precompressed copies of a build's outputs (`[hosting] precompress`, see
`site.compression`): made for the outputs this build wrote, and for those whose copies are
missing (the setting just turned on, a copy deleted by hand); kept for all the others.

Each copy is in the output record, under a key made of its original's content and how it is
compressed: a copy whose original went, or of an encoding no longer wanted, is no longer in
the record, and the commit deletes it like any stale output. Copies are made in worker
processes (`parallel.run_all`), which read the original from the staging folder or the
output folder and stage the copies beside it.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path

from reflexgen.errors import Reporter
from reflexgen.hashing import digest
from reflexgen.incremental.cache import Output
from reflexgen.incremental.parallel import MIN_PARALLEL, run_all
from reflexgen.render.writer import Staging, write_file
from reflexgen.site.caching import original
from reflexgen.site.compression import MIN_SIZE, SUFFIXES, compress, compressible, parameters

Task = tuple[str, str, tuple[str, ...]]  # output path, the file to read, encodings to make
# Bytes to compress (a tenth of a second of gzip and Brotli on one core) from which starting
# worker processes pays.
PARALLEL_BYTES = 1 << 20


def precompress(record: dict[str, Output], previous: Mapping[str, Output],
                encodings: Collection[str], output: Path, staging: Staging,
                staged: Collection[str], jobs: int, reporter: Reporter, trusted: bool = False,
                within: str = "") -> list[str]:
    """Give each compressible output of `record` (whose path starts with `within`) its copies
    in `encodings`, recorded in `record`: those `previous` recorded for the same content are
    kept while they are there (`trusted`: taken to be), the others are made from the output
    (read from `staging` for the outputs it `staged`) and staged. The copies staged."""
    if not encodings:
        return []
    made = {encoding: parameters(encoding) for encoding in encodings}
    tasks: list[Task] = []
    keys: dict[str, str] = {}
    total = 0  # bytes to compress
    for rel in sorted(record):
        if not rel.startswith(within) or not compressible(rel):
            continue
        content = record[rel].content
        missing = []
        for encoding in encodings:
            copy = rel + SUFFIXES[encoding]
            if copy in record:  # a file of that name is published (content/x.json.gz)
                continue
            key = keys[copy] = digest(made[encoding], content)
            last = previous.get(copy)
            if last is not None and last.key == key and \
                    (trusted or os.path.isfile(f"{output}/{copy}")):
                record[copy] = last
            else:
                missing.append(encoding)
        if missing:
            source = (staging.root if staging.full or rel in staged else output) / rel
            size = os.stat(source).st_size
            if size >= MIN_SIZE:
                tasks.append((rel, str(source), tuple(missing)))
                total += size * len(missing)
    written = []
    root = staging.root
    for rel, _, wanted in tasks:
        for encoding in wanted:
            copy = rel + SUFFIXES[encoding]
            record[copy] = Output(keys[copy], keys[copy])
            written.append(copy)
    # Worker processes for a few files as soon as they are worth starting (a large page or
    # feed takes tens of milliseconds), a chunk of files each for many.
    for _ in run_all(tasks, lambda: root, compress_one, jobs if total >= PARALLEL_BYTES else 1,
                     reporter.progress("compressing", len(tasks)),
                     heavy=len(tasks) < MIN_PARALLEL):
        pass
    return written


def compress_one(root: Path, task: Task) -> None:
    """Stage the copies of one output (in a worker process)."""
    rel, source, encodings = task
    data = Path(source).read_bytes()
    for encoding in encodings:
        write_file(root, rel + SUFFIXES[encoding], compress(data, encoding))


def copies(record: Mapping[str, Output], within: str = "") -> list[str]:
    """The precompressed copies `record` holds (of outputs under `within`)."""
    return [rel for rel in record if rel.startswith(within) and original(rel)[1] is not None]


def precompress_after(record: dict[str, Output], encodings: Collection[str], output: Path,
                      within: str, jobs: int, reporter: Reporter,
                      trusted: bool = False) -> tuple[list[str], list[str]]:
    """The copies of the outputs under `within` made again after they were committed on
    their own (the search index of a preview, see `build`), and committed at once: the
    copies written and removed."""
    before = dict(record)
    for rel in copies(record, within):
        del record[rel]
    if not encodings and len(record) == len(before):
        return [], []
    with Staging(output, full=False) as staging:
        written = precompress(record, before, encodings, output, staging, (), jobs, reporter,
                              trusted, within)
        removed = sorted(set(before) - set(record))
        staging.commit(written, removed)
    return written, removed
