"""Lighthouse (npm `lighthouse`, pinned; `./dev test` installs it into .venv/node) on pages
of the demo blog, in Debian's Chromium, with its default mobile profile.

Accessibility, Best Practices and SEO are worked out from the page, not timed: each must be
100, and a failure lists the audits that failed with what they found. Performance is derived
from (simulated) timings, so it is only reported, never asserted (listed at the end of the
run, kept as a property of the test in JUnit XML; set LIGHTHOUSE_REPORTS=DIR to keep the
reports).

The blog is built with base_url set to the address it is served from, as it would be online:
its canonical links and sitemap then point at the pages measured. It is served by a small
static server that sends content types, gzip and cache headers as a real host would (not by
`reflexgen serve`, whose live-reload script is not part of the site).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_validity import missing

from conftest import ARGS, CHROMIUM, REPO, Site, http_server

LIGHTHOUSE = Path(sys.prefix) / "node" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
ASSERTED = ("accessibility", "best-practices", "seo")  # deterministic: each must be 100
# The pages measured: append new page types here (an article with images, once they exist).
# A page the demo does not have yet (the search page, being written) is skipped, saying so.
PAGES = {
    "home": "/",
    "article with comments": "/2024/10/sobriete-numerique-le-marketing-peut-il-faire-moins/",
    "tag": "/tags/publicite/",
    "search": "/recherche/",
}
COMPRESSED = {".html", ".css", ".js", ".svg", ".xml", ".json", ".txt"}


class Host(http.server.SimpleHTTPRequestHandler):
    """A built site as a host serves it: content types, gzip when asked, a cache lifetime for
    everything but pages, and the site's own 404 page."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                self.send_response(301)
                self.send_header("Location", self.path.split("?")[0] + "/")
                self.end_headers()
                return
            path = path / "index.html"
        status = 200
        if not path.is_file():
            status, path = 404, Path(self.directory) / "404.html"
        body = path.read_bytes()
        kind = self.guess_type(str(path))
        if kind.startswith("text/") or kind.endswith(("+xml", "/javascript", "/json")):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if path.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "no-cache" if path.suffix == ".html"
                         else "public, max-age=86400")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class Summary:
    """A pytest plugin that lists the scores at the end of the run, Performance among them."""

    def __init__(self) -> None:
        self.scores: dict[str, dict[str, int]] = {}
        self.version = ""

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.scores:
            terminalreporter.section(f"Lighthouse {self.version} (Performance reported, "
                                     "not asserted)")
            for kind, scores in self.scores.items():
                terminalreporter.write_line(f"{kind}: " + ", ".join(
                    f"{name} {score}" for name, score in scores.items()))


@pytest.fixture(scope="module")
def summary(request) -> Summary:
    plugin = Summary()
    request.config.pluginmanager.register(plugin)
    return plugin


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo blog, built for the address it is then served from."""
    if not CHROMIUM.exists():
        missing("Debian's chromium", "Lighthouse drives it")
    node = shutil.which("node")
    if node is None or not LIGHTHOUSE.exists():
        missing("Lighthouse", f"npm package, looked for at {LIGHTHOUSE}")
    root = tmp_path_factory.mktemp("lighthouse")
    shutil.copytree(REPO / "content", root / "content")
    settings = (REPO / "site.toml").read_text(encoding="utf-8")
    output = root / "output"
    with http_server(functools.partial(Host, directory=str(output))) as url:
        settings, found = re.subn(r'(?m)^base_url = ".*"$', f'base_url = "{url}"', settings)
        assert found == 1
        (root / "site.toml").write_text(settings, encoding="utf-8")
        assert Site(root).build().code == 0
        yield url, output, node


def lighthouse(node: str, url: str) -> dict:
    """Lighthouse's report (JSON) of `url`, mobile profile."""
    flags = " ".join(["--headless=new", *ARGS])
    result = subprocess.run(
        [node, str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output-path=stdout",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}"],
        capture_output=True, text=True, timeout=240,
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def failures(report: dict, category: str) -> list[str]:
    """The audits of `category` that lost points: id, title, and what they found."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] == 0 or audit["score"] is None or audit["score"] >= 1:
            continue
        items = audit.get("details", {}).get("items", [])
        shown = [str(item.get("node", {}).get("snippet") or item.get("url") or item)[:200]
                 for item in items[:5]]
        value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
        found.append(f"{audit['id']}: {audit['title']}{value}"
                     + "".join(f"\n    {line}" for line in shown))
    return found


@pytest.mark.parametrize("kind", PAGES)
def test_lighthouse(served, summary, kind, record_property):
    url, output, node = served
    path = PAGES[kind]
    if not (output / path.lstrip("/") / "index.html").is_file():
        pytest.skip(f"the demo blog has no {kind} page yet ({path})")
    report = lighthouse(node, url + path)
    scores = {name: round(100 * (report["categories"][name]["score"] or 0))
              for name in CATEGORIES}
    record_property("lighthouse", scores)
    summary.scores[f"{kind} ({path})"] = scores
    summary.version = report["lighthouseVersion"]
    if os.environ.get("LIGHTHOUSE_REPORTS"):
        folder = Path(os.environ["LIGHTHOUSE_REPORTS"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{kind.replace(' ', '-')}.json").write_text(json.dumps(report))
    lost = {name: failures(report, name) for name in ASSERTED if scores[name] != 100}
    assert lost == {}, "\n".join(f"{name} {scores[name]}:\n  " + "\n  ".join(audits)
                                 for name, audits in lost.items())
