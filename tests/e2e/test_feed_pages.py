"""Feeds for people, in a real browser: Chromium shows each feed of the demo blog, served as
any host serves it, as a page of the site (through feed.xsl), and the subscribe page's buttons
copy the addresses. Nothing is loaded from another site."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from conftest import built_demo, static_server

FEEDS = ["feed.xml", "atom.xml", "tags/publicite/feed.xml", "authors/helene-marchand/feed.xml",
         "categories/marketing/feed.xml"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return built_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def served(demo):
    with static_server(demo) as url:
        yield url


def elsewhere(page, served: str) -> list[str]:
    """Collects the addresses the page asks for outside the local server."""
    asked: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(served)
            else asked.append(request.url))
    return asked


@pytest.mark.parametrize("feed", FEEDS)
def test_a_feed_opened_in_the_browser_is_a_page_of_the_site(demo, served, page, feed):
    parsed = feedparser.parse((demo / feed).read_bytes())
    asked = elsewhere(page, served)
    page.goto(f"{served}/{feed}")
    assert page.locator("h1").inner_text() == parsed.feed.title
    links = page.locator("li.feed-entry a")
    assert links.count() == len(parsed.entries) > 0
    for index, entry in enumerate(parsed.entries):
        assert links.nth(index).inner_text() == entry.title
        assert links.nth(index).get_attribute("href") == entry.link
    assert page.locator("#feed-address").input_value() == f"https://reflexions.example.org/{feed}"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Qu’est-ce qu’un flux" in page.locator("main h2").first.inner_text()
    # The site's stylesheet applies: its header rule and its link to the subscribe page.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header'))"
                         ".borderBottomStyle") == "solid"
    assert page.locator("a[href='/abonnement/']").count() >= 1
    assert asked == []


@pytest.mark.parametrize("url, first", [("/abonnement/", "feed.xml"),
                                        ("/tags/publicite/feed.xml", "tags/publicite/feed.xml")])
def test_the_copy_buttons_copy_the_addresses(served, browser, url, first):
    """On the subscribe page and on a feed shown as a page."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        asked = elsewhere(page, served)
        page.goto(served + url)
        button = page.locator("button[data-copy]").first
        button.wait_for(state="visible")
        field = page.locator("#" + button.get_attribute("data-copy"))
        button.click()
        page.wait_for_function("document.querySelector('.subscribe__status').textContent")
        assert page.evaluate("navigator.clipboard.readText()") == field.input_value() == \
            f"https://reflexions.example.org/{first}"
        assert "Adresse copiée" in page.locator(".subscribe__status").inner_text()
        assert asked == []
    finally:
        context.close()


def test_without_javascript_the_addresses_are_there_to_select(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{served}/abonnement/")
        assert page.locator("button[data-copy]:visible").count() == 0
        fields = page.locator("input.subscription__address")
        assert fields.count() > 10
        fields.first.focus()
        page.keyboard.press("Control+A")
        assert page.evaluate("getSelection().toString() || document.activeElement.value"
                             ".substring(document.activeElement.selectionStart,"
                             " document.activeElement.selectionEnd)") == \
            "https://reflexions.example.org/feed.xml"
    finally:
        context.close()
