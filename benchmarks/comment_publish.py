#!/usr/bin/env python3
"""Approve → the article's page rebuilt with the comment, on the 1,000-article corpus site.

    python benchmarks/comment_publish.py [--size 1000] [--runs 10]

A copy of the corpus site (see bench.py) is built once; then, `--runs` times, a comment is
queued in the store for an article that already has comments and `reflexgen comments approve
ID` runs as a moderator would (a new process: Python's start-up included), until the page
holds the comment. Prints the median and the slowest run. The goal (issue 14): ≤ 1 s median.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import REPO, SHARED, site

from reflexgen.comments.records import Draft
from reflexgen.comments.store import SQLiteStore


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    options.add_argument("--size", type=int, default=1000)
    options.add_argument("--runs", type=int, default=10)
    args = options.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} is missing (the shared corpus tools)")
        return 0
    with tempfile.TemporaryDirectory(prefix="reflexgen-publish-") as temp:
        folder = Path(temp) / "site"
        source = site(args.size)
        shutil.copytree(source / "content", folder / "content")
        shutil.copy(source / "site.toml", folder)
        command = [sys.executable, "-m", "reflexgen"]
        for _ in range(2):  # the second, once the copied files' times have settled, is
            # the steady state: files changed within a build's second are read again
            subprocess.run([*command, "build", "-q", "--site", str(folder)], cwd=REPO,
                           check=True)
            time.sleep(2)
        sidecar = sorted((folder / "content/posts").glob("*.comments.yaml"))[0]
        thread = sidecar.relative_to(folder / "content").as_posix().replace(
            ".comments.yaml", ".md")
        page = folder / "output/posts" / Path(thread).stem / "index.html"
        store = SQLiteStore(folder / "comments.sqlite3")
        seconds = []
        for run in range(args.runs):
            draft = Draft(thread, None, "Lectrice", "l@example.org", None,
                          f"Commentaire n° {run} : d'accord avec vous.", "bench")
            cid = store.add(draft, "pending", (), datetime.now(UTC)).id
            start = time.perf_counter()
            subprocess.run([*command, "comments", "approve", "-q", cid, "--site", str(folder)],
                           cwd=REPO, check=True)
            seconds.append(time.perf_counter() - start)
            if f'id="comment-{cid}"' not in page.read_text(encoding="utf-8"):
                raise SystemExit(f"{page} does not show {cid}")
        store.close()
    print(f"approve → page rebuilt, {args.size} articles, {args.runs} runs: "
          f"median {statistics.median(seconds):.3f} s, slowest {max(seconds):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
