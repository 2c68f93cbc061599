#!/usr/bin/env python3
"""Time the search index (Pagefind) on the shared corpus, and weigh it.

    python benchmarks/search_index.py [--sizes 1000,10000] [--runs 3]

For each size, the corpus site of `bench.py` (made there if missing) is built once; then,
`--runs` times, Pagefind indexes its articles and pages as a build does (`make_index`: the
links, Pagefind, the filters put in order), which is also what a build pays after an edit
that changes an indexed page. Printed: the median seconds, the index's files and size, and
what a reader's first query downloads (Pagefind's script and WebAssembly, the entry and meta
files, the index chunk holding the word, its filters and the first five results'
fragments). Needs ../shared/bench beside the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cbor2

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import BUILD, site  # noqa: E402

from reflexgen.incremental import search  # noqa: E402

WORD = "marketing"


def searchable(public: Path) -> list[str]:
    """The pages a build indexes: those that mark their text for Pagefind."""
    return sorted(p.relative_to(public).as_posix() for p in public.rglob("index.html")
                  if b"data-pagefind-body" in p.read_bytes())


def first_query(index: Path, word: str) -> int:
    """Bytes a reader's first search for `word` downloads (compressed, as served)."""
    entry = json.loads((index / "pagefind-entry.json").read_bytes())
    language = next(iter(entry["languages"].values()))
    meta_file = index / f"pagefind.{language['hash']}.pf_meta"
    meta = cbor2.loads(gzip.decompress(meta_file.read_bytes())[len(b"pagefind_dcd"):])
    chunk = next(hashed for start, end, hashed in meta[2] if start <= word <= end)
    files = [index / "pagefind.js", index / f"wasm.{language['wasm']}.pagefind",
             index / "pagefind-entry.json", meta_file, index / "index" / f"{chunk}.pf_index"]
    files += [index / "filter" / f"{hashed}.pf_filter" for _, hashed in meta[3]]
    fragments = sorted((index / "fragment").iterdir())[:5]  # five results, of average size
    return sum(path.stat().st_size for path in files + fragments)


def measure(n: int, runs: int) -> dict:
    folder = site(n)
    subprocess.run([*BUILD, "--clean"], cwd=folder, check=True)
    public = folder / "public"
    pages = searchable(public)
    where = {rel: public / rel for rel in pages}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        files = search.make_index(pages, where, folder / ".search-bench")
        times.append(time.perf_counter() - start)
    index = public / "pagefind"
    return {"articles": n, "pages": len(pages), "seconds": statistics.median(times),
            "files": len(files), "mib": sum(map(len, files.values())) / 2**20,
            "query_kib": first_query(index, WORD) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'articles':>9} {'indexed':>8} {'index s':>8} {'files':>7} {'MiB':>7} "
          f"{'1st query KiB':>14}")
    for n in map(int, args.sizes.split(",")):
        row = measure(n, args.runs)
        print(f"{row['articles']:>9} {row['pages']:>8} {row['seconds']:>8.2f} "
              f"{row['files']:>7} {row['mib']:>7.1f} {row['query_kib']:>14.0f}", flush=True)


if __name__ == "__main__":
    main()
