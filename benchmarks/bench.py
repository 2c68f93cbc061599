#!/usr/bin/env python3
"""Time reflexgen on the shared French blog corpus, and the peers (Hugo, Eleventy, Pelican) in
the same run.

    python benchmarks/bench.py [--sizes 1000,10000] [--runs 3] [--against DIR]
                               [--search both|on|off]
                               [--peers [--peer-sizes 1000,10000] [--peer-tools …] [--no-watch]]
    python benchmarks/bench.py --sizes 100000 --runs 1 --search off   # the 100k figures

Needs ../shared/bench beside the repository (make_corpus.py, to_reflexgen.py, run_peers.py).
For each size: the corpus is generated once (in /tmp/bench-corpus, shared with run_peers.py)
and turned into a reflexgen site; then, each `--runs` times, with medians printed:
  cold    output folder and .reflexgen-cache deleted, full build on every core
  no-op   the same build again, nothing changed
  edit    one line appended to the middle article's body, build again
and the peak memory of the largest process (Pagefind's included); and the parse floor: the same
articles and comment files only loaded and parsed (YAML, then markdown-it-py on every body and
comment) on every core, nothing rendered or written, which no build with markdown-it-py can
beat, with the ratio cold / floor. The search index is optional (`search = false`) and made by
Pagefind, another program: `--search both` (the default) also times a cold build without it,
on a copy of the site that says `search = false` (`off`: only that one). `--against DIR`
times another checkout of reflexgen (e.g. a `git worktree` of the last release) on the same
corpus, interleaved run by run, to measure a change before and after. `--peers` then
runs ../shared/bench/run_peers.py for Hugo, Eleventy, Pelican and reflexgen on the same corpus
(peers installed as its README says) and prints its side-by-side table. Results go to
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
CORPORA = Path(os.environ.get("BENCH_CORPORA", "/tmp/bench-corpus"))
WORK = Path(os.environ.get("REFLEXGEN_BENCH_WORK", "/tmp/reflexgen-bench"))
RESULTS = REPO / "benchmarks" / "results"
BUILD = [sys.executable, "-m", "reflexgen", "build", "-q", "-o", "public"]


def run(command: list[str], cwd: Path, checkout: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of the largest process of `command`, run with the
    reflexgen of `checkout` (by default, the one beside this script)."""
    env = dict(environment(), PYTHONPATH=str(checkout or REPO))
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}")
    return seconds, usage.ru_maxrss / 1024


def environment() -> dict[str, str]:
    """Ours, but for PYTHONDONTWRITEBYTECODE (which some sandboxes set): a user's Python keeps
    the compiled modules, and recompiling reflexgen would add 0.2 s to every build."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_checkout(checkout: Path | None) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str((checkout or REPO) /
                                                                  "reflexgen")],
                   check=True, env=environment())


def corpus(n: int) -> Path:
    folder = CORPORA / f"yaml-{n}"
    if not (folder / "MANIFEST.json").exists():
        subprocess.run([sys.executable, SHARED / "make_corpus.py", "--n", str(n), "--format",
                        "yaml", "--out", folder], check=True, stdout=subprocess.DEVNULL)
    return folder


def site(n: int) -> Path:
    """A reflexgen site of the corpus, with article URLs like the peers' (/posts/<slug>/)."""
    folder = WORK / f"site-{n}"
    if not (folder / "site.toml").exists():
        subprocess.run([sys.executable, SHARED / "to_reflexgen.py", corpus(n), folder],
                       check=True)
        with open(folder / "site.toml", "a", encoding="utf-8") as toml:
            toml.write('permalink = "/posts/{slug}/"\n')
    return folder


def without_search(n: int) -> Path:
    """The same site with `search = false`: its content hard-linked, not copied."""
    folder = WORK / f"site-{n}-nosearch"
    if not (folder / "site.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        subprocess.run(["cp", "-al", site(n) / "content", folder / "content"], check=True)
        text = (site(n) / "site.toml").read_text(encoding="utf-8")
        (folder / "site.toml").write_text(text + "search = false\n", encoding="utf-8")
    return folder


def clean(folder: Path) -> None:
    for name in ("public", ".reflexgen-cache"):
        shutil.rmtree(folder / name, ignore_errors=True)


def parse_chunk(paths: list[str]) -> int:
    """Load and parse articles and their comments as a build must, and nothing else."""
    import yaml
    from markdown_it import MarkdownIt

    article, comment = MarkdownIt("commonmark"), MarkdownIt("commonmark", {"html": False})
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        _, header, body = text.split("---\n", 2)
        yaml.load(header, Loader=yaml.CSafeLoader)
        article.render(body)
        sidecar = Path(path[: -len(".md")] + ".comments.yaml")
        if sidecar.exists():
            for item in yaml.load(sidecar.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
                comment.render(str(item["body"]))
    return len(paths)


def parse_floor(folder: Path) -> float:
    """Wall seconds to parse every article and comment on every core (process start included)."""
    posts = sorted(str(p) for p in (folder / "content/posts").glob("*.md"))
    jobs = len(os.sched_getaffinity(0))
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        assert sum(pool.map(parse_chunk, [posts[i::jobs] for i in range(jobs)])) == len(posts)
    return time.perf_counter() - start


def measure(n: int, runs: int, checkouts: list[Path | None], search: str) -> list[dict]:
    """One row per checkout (None: this one), their runs interleaved so that the machine's
    drift weighs on each alike; `search`: "on" (the site as it is), "off" (without its
    search index) or "both" (cold builds of each; no-op and edit without the index, which
    Pagefind makes anew after any edit to an article: see benchmarks/search_index.py)."""
    folder = site(n) if search == "on" else without_search(n)
    posts = sorted(p for p in (folder / "content/posts").glob("*.md"))
    middle = posts[len(posts) // 2]
    times: dict[str, dict] = {what: {c: [] for c in checkouts}
                              for what in ("cold", "bare", "noop", "edit")}
    pages = 0
    for _ in range(runs):
        for checkout in checkouts:
            if search == "both":
                indexed = site(n)
                clean(indexed)
                times["cold"][checkout].append(run(BUILD, indexed, checkout))
                pages = sum(1 for _ in (indexed / "public").rglob("*.html"))
                clean(folder)
                times["bare"][checkout].append(run(BUILD, folder, checkout))
            else:
                clean(folder)
                times["cold"][checkout].append(run(BUILD, folder, checkout))
                pages = sum(1 for _ in (folder / "public").rglob("*.html"))
            for _ in range(runs):
                times["noop"][checkout].append(run(BUILD, folder, checkout)[0])
            for k in range(runs):
                marker = f"MARQUEUR-{k}-{time.time_ns()}"
                with open(middle, "a", encoding="utf-8") as file:
                    file.write(f"\n\n{marker} modifié.\n")
                times["edit"][checkout].append(run(BUILD, folder, checkout)[0])
                page = folder / "public/posts" / middle.stem / "index.html"
                assert marker in page.read_text(encoding="utf-8"), "the edit is not in the output"
    floor = statistics.median(parse_floor(folder) for _ in range(runs))
    rows = []
    for checkout in checkouts:
        cold, bare = times["cold"][checkout], times["bare"][checkout]
        row = dict(n=n, pages=pages, floor_s=floor, checkout=str(checkout or REPO),
                   search=search != "off", edits_search=search == "on",
                   cold_s=statistics.median(c[0] for c in cold), cold_runs=[c[0] for c in cold],
                   peak_mib=max(c[1] for c in cold),
                   noop_s=statistics.median(times["noop"][checkout]),
                   noop_runs=times["noop"][checkout],
                   edit_s=statistics.median(times["edit"][checkout]),
                   edit_runs=times["edit"][checkout])
        if bare:
            row |= dict(bare_s=statistics.median(c[0] for c in bare),
                        bare_runs=[c[0] for c in bare], bare_peak_mib=max(c[1] for c in bare))
        row["ms_per_page"] = 1000 * row["cold_s"] / pages
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| checkout | articles | pages | search | parse floor s | cold s | cold / floor "
             "| ms/page | peak MiB | cold without search s | its / floor | its peak MiB "
             "| no-op s | one edit s | no-op and edit with search |", "|---" * 15 + "|"]
    for r in rows:
        bare = (f"{r['bare_s']:.2f} | {r['bare_s'] / r['floor_s']:.2f} | "
                f"{r['bare_peak_mib']:.0f}") if "bare_s" in r else "– | – | –"
        lines.append(
            f"| {Path(r['checkout']).name} | {r['n']} | {r['pages']} | "
            f"{'on' if r['search'] else 'off'} | {r['floor_s']:.2f} | {r['cold_s']:.2f} | "
            f"{r['cold_s'] / r['floor_s']:.2f} | {r['ms_per_page']:.2f} | "
            f"{r['peak_mib']:.0f} | {bare} | {r['noop_s']:.2f} | {r['edit_s']:.2f} | "
            f"{'on' if r['edits_search'] else 'off'} |")
    return "\n".join(lines) + "\n"


def peers(sizes: list[int], runs: int, watch: bool, tools: str, search: str) -> None:
    """run_peers.py with reflexgen plugged in, one size at a time (its site differs); with
    `search` "both", reflexgen again without its search index (the peers make none), in
    results/without-search/."""
    variants = [(site, RESULTS, tools)] if search != "off" else []
    if search != "on" and "reflexgen" in tools.split(","):
        variants.append((without_search, RESULTS / "without-search",
                         tools if search == "off" else "reflexgen"))
    for n in sizes:
        for make, results, which in variants:
            skeleton = WORK / f"peer-site-{n}"  # the site but its articles (run_peers adds them)
            shutil.rmtree(skeleton, ignore_errors=True)
            shutil.copytree(make(n), skeleton, ignore=shutil.ignore_patterns(
                "public", ".reflexgen-cache", "*[0-9].md"))
            env = dict(environment(), REFLEXGEN_SITE=str(skeleton),
                       REFLEXGEN_CMD=f'"{sys.executable}" -m reflexgen build -q -o "$BENCH_OUT"',
                       REFLEXGEN_CLEAN=".reflexgen-cache",
                       REFLEXGEN_VERSION_CMD=f'"{sys.executable}" -m reflexgen --version')
            command = [sys.executable, SHARED / "run_peers.py", "--sizes", str(n), "--runs",
                       str(runs), "--results", str(results), "--tools", which] + \
                ([] if watch else ["--no-watch"])
            subprocess.run(command, env=env, check=True)
    for _, results, _ in variants:
        print(results.name, "\n", (results / "table.md").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another reflexgen checkout to time too")
    parser.add_argument("--peers", action="store_true", help="also run Hugo, Eleventy, Pelican")
    parser.add_argument("--peer-sizes", help="sizes for --peers (default: --sizes)")
    parser.add_argument("--peer-tools", default="hugo,eleventy,pelican,reflexgen",
                        help="for --peers: which tools (run_peers.py's --tools)")
    parser.add_argument("--search", choices=("both", "on", "off"), default="both",
                        help="time cold builds with the search index, without, or both "
                             "(--peers: reflexgen as well)")
    parser.add_argument("--no-watch", action="store_true", help="peers: skip watch mode")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} not found: the benchmark needs ../shared/bench beside the "
                         "repository (developer machines and CI have it)")
    sizes = [int(s) for s in args.sizes.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    checkouts = [None] + ([args.against.resolve()] if args.against else [])
    for checkout in checkouts:
        compile_checkout(checkout)
    for n in sizes:
        rows += measure(n, args.runs, checkouts, args.search)
        print("\n".join(table(rows[-len(checkouts):]).splitlines()[2:]), flush=True)
    (RESULTS / "reflexgen.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    if args.peers:
        peer_sizes = [int(s) for s in (args.peer_sizes or args.sizes).split(",")]
        peers(peer_sizes, args.runs, not args.no_watch, args.peer_tools, args.search)


if __name__ == "__main__":
    main()
