"""The default theme under the Content-Security-Policy the build writes, in Chromium: the demo
blog served by the real nginx with its `reflexgen.nginx.conf` (so the browser gets the real
header), its comment intake behind it, each kind of page opened and used as a reader uses it,
and not one violation reported (no inline script or style, nothing from elsewhere, Pagefind's
WebAssembly allowed)."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from conftest import NGINX, REPO, ServerProcess, built_demo, free_port, start_nginx

ARTICLE = "/2024/10/sobriete-numerique-le-marketing-peut-il-faire-moins/"
# Every violation the page's documents report, kept on the window and read at the end.
CATCH = """
window.__violations = window.__violations || [];
window.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile}:${event.lineNumber}) ${event.sample}`);
}, true);
"""


def settings(port: int) -> str:
    """The demo's site.toml, at the address it is served from: the comment endpoint on the
    site's own host, as in production (its origin is then the page's)."""
    origin = f"http://127.0.0.1:{port}"
    text = (REPO / "site.toml").read_text(encoding="utf-8")
    return text.replace("https://reflexions.example.org", origin).replace(
        f'endpoint = "{origin}/commentaires/"',
        f'endpoint = "{origin}/commentaires/"\ntrusted_proxies = ["127.0.0.1"]') + \
        f'\n[hosting]\nintake = "127.0.0.1:{free_port()}"\n'


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.skip("needs nginx (./dev test installs it)")
    root = tmp_path_factory.mktemp("csp") / "site"
    port = free_port()
    text = settings(port)
    output = built_demo(root, {"site.toml": text})
    intake_port = re.search(r'intake = "127\.0\.0\.1:(\d+)"', text).group(1)
    intake = ServerProcess([sys.executable, "-m", "reflexgen", "comments", "serve", "--site",
                            str(root), "--host", "127.0.0.1", "--port", intake_port],
                           "intake listening on http://")
    nginx = start_nginx(output, root.parent / "nginx", port=port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.stop()
        intake.stop_cleanly()


@pytest.fixture
def watched(browser):
    """A page whose CSP violations and console complaints are collected."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    context.add_init_script(CATCH)
    page = context.new_page()
    said: list[str] = []
    page.on("console", lambda message: said.append(message.text)
            if re.search(r"Content.Security.Policy|Permissions.Policy", message.text) else None)
    page.said = said
    yield page
    context.close()


def violations(page) -> list[str]:
    return [*page.evaluate("window.__violations || []"), *page.said]


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def until(page, condition: str, timeout: float = 30) -> None:
    """Wait until `condition` (a JavaScript expression) holds in the page. Asked through the
    DevTools protocol: Playwright's own `wait_for_function` evaluates strings in the page,
    which this very policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        page.wait_for_timeout(100)


def test_the_site_sends_its_policy(served, watched):
    response = watched.goto(served + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["cache-control"] == "public, max-age=0, must-revalidate"


def test_the_home_page(served, watched):
    open_page(watched, served + "/")
    assert watched.locator("article").count() > 3
    assert watched.evaluate("getComputedStyle(document.body).marginTop") is not None
    assert violations(watched) == []


def test_an_article_with_its_photo_comments_share_buttons_and_form(served, watched):
    open_page(watched, served + ARTICLE)
    photo = watched.locator("main img").first
    assert watched.evaluate("img => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert watched.locator(".comment").count() > 0
    # Share: the copy button, and Mastodon's instance form.
    watched.locator("button[data-share='copy']").click()
    until(watched, "document.querySelector('.share__status').textContent")
    watched.locator("button[data-share='mastodon']").click()
    assert watched.locator("#share-mastodon").is_visible()
    # The comment form: focusing it asks the intake for a token (through nginx), then a
    # comment is sent in place and the intake's answer shown.
    watched.locator("#cf-author").fill("Zoé")
    watched.locator("#cf-body").fill("Merci pour ce **billet**, très utile.")
    until(watched, "document.querySelector('form.comment-form__form [name=token]')"
                   "?.value")
    watched.wait_for_timeout(3300)  # the intake takes a token 3 s old at the earliest
    watched.locator(".comment-form__submit").click()
    until(watched, "document.querySelector('.comment-form__comment')")
    assert "billet" in watched.locator(".comment-form__comment").inner_text()
    watched.wait_for_load_state("networkidle")
    assert violations(watched) == []


def test_a_tag_page(served, watched):
    open_page(watched, served + "/tags/publicite/")
    assert watched.locator("h1").count() == 1
    assert violations(watched) == []


def test_the_search_page_with_a_query(served, watched):
    asked: list[str] = []
    watched.on("request", lambda request: asked.append(request.url))
    open_page(watched, served + "/recherche/")
    watched.fill("#search-q", "cookies")
    until(watched, "document.querySelectorAll('.search__results .search-result').length")
    watched.wait_for_load_state("networkidle")
    assert any("/pagefind/wasm." in url for url in asked)  # its WebAssembly, compiled
    assert violations(watched) == []


def test_the_header_search_box(served, watched):
    open_page(watched, served + "/tags/")
    watched.fill("#site-search-q", "numérique")
    until(watched, "document.querySelectorAll('#site-search-results a').length")
    assert violations(watched) == []


def test_the_subscribe_page_and_its_copy_button(served, watched):
    open_page(watched, served + "/abonnement/")
    button = watched.locator("button[data-copy]").first
    button.wait_for(state="visible")
    button.click()
    until(watched, "document.querySelector('.subscribe__status').textContent")
    assert violations(watched) == []


def test_a_feed_shown_as_a_page(served, watched):
    watched.goto(served + "/feed.xml")
    watched.locator("li.feed-entry").first.wait_for()  # the XSLT ran
    assert watched.evaluate("getComputedStyle(document.querySelector('.site-header'))"
                            ".borderBottomStyle") == "solid"  # and the stylesheet applies
    assert violations(watched) == []


def test_the_404_page(served, watched):
    response = watched.goto(served + "/nulle-part/")
    watched.wait_for_load_state("networkidle")
    assert response.status == 404
    assert "content-security-policy" in response.headers
    assert violations(watched) == []
