"""The built site under a strict Content-Security-Policy, in Chromium: no inline style or
script anywhere (the site's colour is a stylesheet, `accent_color` in the demo), so nothing is
refused, and the scripts still work (search, share, subscribe)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

import pytest

from conftest import built_demo, http_server

# What a host may send for a reflexgen site: its own files only. Pagefind runs WebAssembly.
POLICY = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
          "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
          "frame-ancestors 'none'")
LISTEN = """window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});"""


class StrictHost(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", POLICY)
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    output: Path = built_demo(tmp_path_factory.mktemp("csp"))
    with http_server(functools.partial(StrictHost, directory=str(output))) as url:
        yield url, output


def visit(page, url: str) -> list[str]:
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # what loads after the page (deferred scripts, their styles)
    return page.evaluate("window.__violations")


def test_no_page_of_the_demo_breaks_a_strict_policy(served, browser):
    base, output = served
    article = next(output.glob("2024/*/*/index.html")).parent.relative_to(output).as_posix()
    context = browser.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    try:
        for path in ("/", f"/{article}/", "/abonnement/", "/recherche/", "/tags/", "/404.html"):
            assert visit(page, base + path) == [], path
        # A feed as a page (feed.xsl): what the stylesheet writes has no inline style or
        # script either; Chromium adds a banner of its own about XSLT, with styles inline.
        visit(page, base + "/feed.xml")
        assert page.evaluate("document.querySelectorAll('link[rel=stylesheet]').length") == 2
        assert page.evaluate("""[...document.querySelectorAll('[style], style, script:not([src])')]
            .filter((e) => !e.closest('xslt-warning-banner')).length""") == 0
        # The site's colour applies: it comes from accent.css, not from a style attribute.
        visit(page, base + "/")
        accent = page.evaluate("getComputedStyle(document.documentElement)"
                               ".getPropertyValue('--site-accent').trim()")
        assert accent == "#1f3a5f"
        # The search box loads Pagefind from /pagefind/ and finds the demo's articles.
        page.fill("#site-search-q", "publicité")
        page.wait_for_selector("#site-search-results li", timeout=10_000)
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()
