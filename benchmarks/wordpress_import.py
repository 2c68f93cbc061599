#!/usr/bin/env python3
"""Time and peak memory of `reflexgen import wordpress` on a large generated export.

    python benchmarks/wordpress_import.py [--posts 5000] [--comments 20]

Writes a WXR file of `--posts` posts (~1,000 words each) with `--comments` threaded comments
each (the defaults give ~130 MB, 100,000 comments), imports it into an empty site in a child
process, then builds the result; prints the file size, both durations and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "integration")]

from test_wordpress import comment, item, wxr  # noqa: E402  (the tests' WXR writer)

PARAGRAPH = ("Les plateformes promettent la transparence, mais l’algorithme reste une boîte "
             "noire dont les effets se mesurent surtout à la marge. ") * 6


def write_export(path: Path, posts: int, comments: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(wxr().replace("</channel></rss>\n", ""))
        for n in range(1, posts + 1):
            thread = [comment(n * 1000 + c, f"Avis {c} : " + PARAGRAPH[:300],
                              parent=0 if c % 4 == 1 else n * 1000 + c - 1)
                      for c in range(1, comments + 1)]
            out.write(item(n, f"Billet numéro {n}", "\n\n".join([PARAGRAPH] * 10),
                           terms=[("post_tag", f"t{n % 50}", f"Étiquette {n % 50}")],
                           comments=thread))
        out.write("</channel></rss>\n")


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds, and the child's peak resident memory in MiB."""
    start = time.perf_counter()
    subprocess.run(command, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return time.perf_counter() - start, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        site.mkdir()
        (site / "site.toml").write_text('title = "Import"\nbase_url = "https://x.example"\n'
                                        'language = "fr"\ntimezone = "Europe/Paris"\n')
        export = Path(temp) / "export.xml"
        write_export(export, args.posts, args.comments)
        size = export.stat().st_size / 2**20
        seconds, peak = timed([sys.executable, "-m", "reflexgen", "-q", "import", "wordpress",
                               str(export), "--site", str(site)])
        print(f"export: {size:.0f} MB, {args.posts} posts, {args.posts * args.comments} "
              f"comments; import {seconds:.1f} s, peak {peak} MiB")
        seconds, peak = timed([sys.executable, "-m", "reflexgen", "-q", "build", "--site",
                               str(site)])
        print(f"build of the result: {seconds:.1f} s, peak (import or build) {peak} MiB")


if __name__ == "__main__":
    main()
