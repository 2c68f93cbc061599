"""The share links under an article, in Chromium: nothing is loaded from another site, « Copier
le lien » copies, Mastodon asks for the reader's instance once, and the system's share sheet
is offered only where the browser has one."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_validity import AXE, axe_violations, missing

from conftest import REPO, Site, article, cli, logical, static_server

TITLE = "L’été « chaud » : Q&A, \"vrai\" ?"
PATH = "/2024/07/ete-chaud/"
BASE = "https://reflexions.example.org"
MASTODON = "Partager sur Mastodon"  # the link, then the button share.js puts in its place


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo blog with one more article, its title full of characters to encode."""
    root = tmp_path_factory.mktemp("share")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.toml", root)
    Site(root).write({"content/posts/2024/ete-chaud.md": f"""---
title: '{TITLE}'
date: 2024-07-01
slug: ete-chaud
author: helene-marchand
---
Il fait chaud.
"""})
    assert Site(root).build().code == 0
    with static_server(root / "output") as url:
        yield url


def shared_text(href: str) -> str:
    return parse_qs(urlsplit(href).query)["text"][0]


def title(page) -> str:
    """The title as the page shows it (with French typography's spaces), word joiners apart."""
    return page.locator("h1").text_content().replace("\u2060", "")


def test_an_article_loads_nothing_from_another_site(served, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(served + PATH)
    page.wait_for_load_state("networkidle")
    page.click("button[data-share='mastodon']")  # opening the form loads nothing either
    page.wait_for_load_state("networkidle")
    assert any(logical(url).endswith("/theme/share.js") for url in requested)
    assert [url for url in requested if not url.startswith("http://127.0.0.1:")] == []
    assert page.locator("section.share iframe, section.share img").count() == 0


def test_without_javascript_the_links_work_and_the_buttons_are_absent(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served + PATH)
        links = page.locator("section.share a")
        assert links.all_text_contents() == [
            "Partager par E-mail", "Partager sur Mastodon", "Partager sur Bluesky",
            "Partager sur LinkedIn", "Partager sur X"]  # « Partager… » for screen readers
        assert {links.nth(i).get_attribute("rel") for i in range(5)} == {"noopener noreferrer"}
        mastodon = page.get_by_role("link", name=MASTODON, exact=True).get_attribute("href")
        assert mastodon.startswith("https://toot.kytta.dev/?text=")
        assert shared_text(mastodon) == f"{title(page)} {BASE}{PATH}"
        assert "&" in title(page) and "chaud" in title(page)
        assert page.locator("section.share button:visible").count() == 0
    finally:
        context.close()


def test_copy_link_copies_the_address_and_says_so(served, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(served + PATH)
        page.get_by_role("button", name="Copier le lien").click()
        status = page.locator(".share__status")
        assert status.get_attribute("role") == "status"
        page.wait_for_function("document.querySelector('.share__status').textContent !== ''")
        assert status.inner_text() == "Lien copié."
        assert page.evaluate("navigator.clipboard.readText()") == BASE + PATH
    finally:
        context.close()


def test_mastodon_asks_for_the_instance_once(served, page):
    opened: list[str] = []

    def instance(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Mastodon</title>")

    page.route("https://mastodon.example/**", instance)
    page.goto(served + PATH)
    assert page.get_by_role("link", name=MASTODON, exact=True).count() == 0
    button = page.get_by_role("button", name=MASTODON, exact=True)
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    field = page.get_by_label("Votre instance Mastodon")
    assert field.evaluate("input => input === document.activeElement")
    field.fill("pas une instance")
    page.get_by_role("button", name="Partager sur mon instance").click()
    page.wait_for_function("document.querySelector('.share__status').textContent !== ''")
    assert "Indiquez le nom de votre instance" in page.locator(".share__status").inner_text()
    assert field.get_attribute("aria-invalid") == "true"

    field.fill("@moi@Mastodon.Example/")  # as a reader may paste their address
    page.get_by_role("button", name="Partager sur mon instance").click()
    page.wait_for_url("https://mastodon.example/**")
    [url] = opened
    assert url.startswith("https://mastodon.example/share?text=")
    page.go_back()
    assert shared_text(url) == f"{title(page)} {BASE}{PATH}"

    page.goto(served + PATH)  # another visit: the instance is remembered
    page.get_by_role("button", name=MASTODON, exact=True).click()
    assert page.get_by_label("Votre instance Mastodon").input_value() == "mastodon.example"


def test_the_open_mastodon_form_and_its_error_are_accessible(served, page):
    if not AXE.exists():
        missing("axe-core", f"npm package, looked for at {AXE}")
    page.goto(served + PATH)
    page.get_by_role("button", name=MASTODON, exact=True).click()
    page.get_by_role("button", name="Partager sur mon instance").click()  # empty: required
    page.get_by_label("Votre instance Mastodon").fill("?")
    page.get_by_role("button", name="Partager sur mon instance").click()
    page.wait_for_function("document.querySelector('.share__status').textContent !== ''")
    assert axe_violations(page) == []


def test_the_share_sheet_is_offered_only_where_the_browser_has_one(served, browser):
    plain = browser.new_context()
    sharing = browser.new_context()
    sharing.add_init_script("""navigator.share = (data) => {
        window.sharedData = data; return Promise.resolve(); };""")
    try:
        page = plain.new_page()
        page.goto(served + PATH)
        has_share = page.evaluate("typeof navigator.share === 'function'")
        assert page.get_by_role("button", name="Partager via…").is_visible() == has_share
        page = sharing.new_page()
        page.goto(served + PATH)
        page.get_by_role("button", name="Partager via…").click()
        page.wait_for_function("window.sharedData !== undefined")
        assert page.evaluate("window.sharedData") == {"title": title(page), "url": BASE + PATH}
    finally:
        plain.close()
        sharing.close()


def test_share_false_leaves_no_trace_and_a_list_picks_the_links(tmp_path: Path):
    site = Site(tmp_path).write({
        "site.toml": 'title = "T"\nbase_url = "https://t.example"\nlanguage = "en"\n',
        "content/posts/a.md": article("A", slug="a"),
    })
    assert site.build().code == 0
    assert "https://bsky.app/intent/compose?text=A%20https" in site.read("2024/03/a/index.html")
    site.write({"site.toml": 'title = "T"\nbase_url = "https://t.example"\nlanguage = "en"\n'
                             "share = false\n"})
    assert site.build().code == 0  # an incremental build, after a change of settings
    html = site.read("2024/03/a/index.html")
    assert 'class="share"' not in html and "share.js" not in html
    site.write({"site.toml": 'title = "T"\nbase_url = "https://t.example"\nlanguage = "en"\n'
                             'share = ["copy", "email"]\n'})
    assert site.build().code == 0
    html = site.read("2024/03/a/index.html")
    assert html.index('data-share="copy"') < html.index("mailto:?subject=A&amp;body=")
    assert "bsky.app" not in html and "share-mastodon" not in html


def test_the_link_checker_sends_nothing_to_the_share_forms(site):
    site.write({"content/posts/a.md": article("A", slug="a")})
    assert site.build().code == 0
    run = cli("check", "--site", str(site.root), "--external", "--timeout", "2")
    assert run.code == 0, run.stderr
    assert "(0 to other sites)" in run.stderr
