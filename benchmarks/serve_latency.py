#!/usr/bin/env python3
"""Edit-to-reload latency of `reflexgen serve`, in a real browser.

    python benchmarks/serve_latency.py [--sizes demo,1000] [--edits 20]

For each site (`demo`: a copy of this repository's blog; N: the shared corpus of N articles,
see bench.py), start `reflexgen serve`, open the middle article in Debian's Chromium (through
Playwright), and `--edits` times: wait until the page's live-reload connection is open, append
a line to the article's Markdown file, and time until the browser has painted the page holding
that line (the file write → the reloaded page's first contentful paint, as the browser's
Performance API records it; everything included: file event, debounce, rebuild, event, page
reload). Prints the median and the 95th percentile, and the server's own rebuild times.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import REPO, site

from reflexgen import urls
from reflexgen.content import frontmatter

# When the page now shown was first painted (epoch ms): its navigation's origin plus its
# first-contentful-paint. Playwright's own polling notices the new page later than that.
PAINTED = """() => performance.timeOrigin +
  performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint").startTime"""
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def demo_site(folder: Path) -> Path:
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copy(REPO / "site.toml", folder)
    return folder


def start(folder: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-m", "reflexgen", "serve", "--site", str(folder),
                               "--port", "0"], stderr=subprocess.PIPE, text=True)
    for line in server.stderr:  # type: ignore[union-attr]
        if line.startswith("serving http://"):
            return server, line.split()[1]
    raise SystemExit(f"reflexgen serve did not start for {folder}")


def article_path(url: str, source: Path, text: str) -> str:
    """The article's path on the server, found in the sitemap by its slug."""
    meta = frontmatter.split(text, source).meta
    slug = meta.get("slug") or urls.slug(meta["title"])
    with urllib.request.urlopen(url + "sitemap.xml") as response:
        sitemap = response.read().decode()
    found = re.search(rf"<loc>https?://[^/<]+/([^<]*/{re.escape(slug)}/)</loc>", sitemap)
    assert found, f"{slug} is not in the sitemap"
    return found.group(1)


def measure(folder: Path, edits: int, browser) -> dict:
    posts = sorted((folder / "content/posts").rglob("*.md"))
    source = posts[len(posts) // 2]
    original = source.read_text(encoding="utf-8")
    server, url = start(folder)
    try:
        page = browser.new_page()
        page.goto(url + article_path(url, source, original))
        times = []
        for k in range(edits):
            page.wait_for_function("window.__reflexgen && window.__reflexgen.open")
            time.sleep(0.2)  # let the previous build's echoes settle
            marker = f"MARQUEUR-{k}-{time.time_ns()}"
            begin = time.time()  # wall clock, as the browser's performance.timeOrigin
            source.write_text(original + f"\n\n{marker} modifié.\n", encoding="utf-8")
            page.wait_for_function(f"document.body.innerText.includes('{marker}') && "
                                   "performance.getEntriesByName('first-contentful-paint')"
                                   ".length", timeout=30_000)
            painted = page.evaluate(PAINTED) / 1000  # the reloaded page's first paint
            times.append(painted - begin)
        page.close()
    finally:
        source.write_text(original, encoding="utf-8")
        server.terminate()
        log = server.communicate(timeout=30)[1]
    rebuilds = [float(ms) for ms in re.findall(r"rebuilt: .* in (\d+) ms", log)]
    times.sort()
    return dict(site=folder.name, articles=len(posts), edits=edits,
                median_ms=1000 * statistics.median(times),
                p95_ms=1000 * times[max(0, round(0.95 * len(times)) - 1)],
                rebuild_median_ms=statistics.median(rebuilds) if rebuilds else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="demo,1000")
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as temp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size in args.sizes.split(","):
            folder = demo_site(Path(temp) / "demo") if size == "demo" else site(int(size))
            rows.append(measure(folder, args.edits, browser))
            row = rows[-1]
            print(f"{row['site']}: {row['articles']} articles, {row['edits']} edits: "
                  f"median {row['median_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms "
                  f"(rebuild alone: median {row['rebuild_median_ms']:.0f} ms)", flush=True)
        browser.close()
    print("\n| site | articles | edits | edit → page painted, median ms | p95 ms | "
          "rebuild median ms |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['site']} | {r['articles']} | {r['edits']} | {r['median_ms']:.0f} | "
              f"{r['p95_ms']:.0f} | {r['rebuild_median_ms']:.0f} |")


if __name__ == "__main__":
    main()
