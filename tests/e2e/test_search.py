"""Search as a reader uses it, in Chromium, on the demo blog served by a plain HTTP server:
the header's box, the search page with its filters, accents and French stemming, the page
without JavaScript, nothing loaded from elsewhere, and hostile text shown as text."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from test_validity import AXE, axe_violations, missing

from conftest import REPO, article, built_demo, static_server

SOBRIETE = "Sobriété numérique : le marketing peut-\u2060il faire moins ?"
COOKIES = "Cookies tiers : la fin d’un monde, pas la fin du pistage"
COOKIES_URL = "/2021/03/cookies-tiers-la-fin-d-un-monde-pas-la-fin-du-pistage/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo blog, searching comments too, with an article and a comment written to
    attack the results list."""
    settings = (REPO / "site.toml").read_text(encoding="utf-8")
    output = built_demo(tmp_path_factory.mktemp("search"), {
        "site.toml": settings.replace("paginate = 6", "paginate = 6\nsearch_comments = true"),
        "content/posts/2020/piege.md": article(
            "Les balises <img src=x onerror=window.pwned=1> et nous", "2020-01-01",
            "Un texte sur les zorglubs.", slug="piege"),
        "content/posts/2020/piege.comments.yaml": (
            "- id: c1\n  author: \"<script>window.pwned=2</script>\"\n"
            "  date: 2020-01-02T10:00:00+01:00\n"
            "  body: \"zorglubs <img src=x onerror=window.pwned=3> &lt;b&gt;\"\n"),
    })
    with static_server(output) as url:
        yield url


def results(page, where: str = ".search__results") -> list[str]:
    """The titles listed, their French spaces (no-break, narrow) written as spaces."""
    titles = page.locator(f"{where} .search-result__title").all_inner_texts()
    return [" ".join(title.split()) for title in titles]


def search(page, served, query: str = "", **filters: str) -> list[str]:
    page.goto(served + "/recherche/")
    for name, value in filters.items():
        page.wait_for_function(f"document.querySelector('#search-{name}').options.length > 1")
        page.select_option(f"#search-{name}", value)
    page.fill("#search-q", query)
    page.wait_for_function("""query => {  // the list shows this search's results
        const shown = document.querySelector('[data-search-results]').dataset.shown;
        return shown === location.search
            && (new URLSearchParams(location.search).get('q') || '') === query;
    }""", arg=query)
    return results(page)


def test_a_word_finds_the_article_about_it_first(page, served):
    assert search(page, served, "cookies")[0] == COOKIES
    assert "résultats pour « cookies »" in page.inner_text("[data-search-status]")
    first = page.locator(".search-result").first
    assert first.locator("mark").first.inner_text().lower() == "cookies"
    assert first.locator(".search-result__meta").inner_text() == "Hélène Marchand · 15 mars 2021"
    first.locator("a").click()
    assert urlsplit(page.url).path == COOKIES_URL


@pytest.mark.parametrize("query", ["sobriete", "SOBRIÉTÉ", "sobriété"])
def test_accents_and_case_do_not_matter(page, served, query):
    assert search(page, served, query)[0] == SOBRIETE


def test_french_stemming_finds_other_forms_of_a_word(page, served):
    plural = search(page, served, "régulations")  # the demo says « régulation »
    assert plural and "Aucun" not in page.inner_text("[data-search-status]")


def test_filters_narrow_the_results_and_stay_in_the_address(page, served):
    everything = search(page, served, "numérique")
    by_one = search(page, served, "numérique", author="Léa Rousseau")
    assert 0 < len(by_one) < len(everything)
    assert all("Léa Rousseau" in meta for meta in
               page.locator(".search__results .search-result__meta").all_inner_texts())
    assert "author=L%C3%A9a+Rousseau" in page.url and "q=num%C3%A9rique" in page.url
    page.reload()  # the address gives the same search back
    page.wait_for_function("document.querySelectorAll('.search__results li').length > 0")
    assert page.input_value("#search-author") == "Léa Rousseau"
    assert results(page) == by_one
    # A filter alone lists its articles, newest first.
    tagged = search(page, served, "", tag="régulation")
    assert len(tagged) >= 2
    dates = page.locator(".search__results .search-result__meta").all_inner_texts()
    assert dates  # each shows a date
    assert search(page, served, "", category="Marketing")


def test_the_header_box_shows_the_first_results_and_leads_to_the_search_page(page, served):
    page.goto(served + "/")
    assert page.is_hidden(".site-search__link") and page.is_visible("#site-search-q")
    page.fill("#site-search-q", "sobriete")
    page.wait_for_selector(".site-search__results .search-result")
    assert results(page, ".site-search__results")[0] == SOBRIETE
    page.fill("#site-search-q", "numérique")
    page.wait_for_selector(".site-search__more")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/recherche/?q=*")
    page.wait_for_function("document.querySelectorAll('.search__results li').length > 5")
    assert page.input_value("#search-q") == "numérique"
    page.press("#search-q", "Escape")


def test_without_javascript_the_box_is_a_link_and_the_page_offers_to_browse(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served + COOKIES_URL)
        link = page.locator(".site-search__link")
        assert link.is_visible() and page.is_hidden(".site-search__form")
        link.click()
        assert urlsplit(page.url).path == "/recherche/"
        assert page.is_hidden("[data-search-page]")
        assert "fonctionne avec JavaScript" in page.inner_text("main")
        assert page.locator("main noscript ~ *, main a[href='/archives/']").count() >= 1
        page.click("main a[href='/archives/']")
        assert urlsplit(page.url).path == "/archives/"
    finally:
        context.close()


def test_nothing_is_loaded_from_elsewhere(page, served):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    search(page, served, "cookies", author="Hélène Marchand")
    page.goto(served + "/")
    page.fill("#site-search-q", "cookies")
    page.wait_for_selector(".site-search__results .search-result")
    assert hosts == {urlsplit(served).netloc}


def test_hostile_titles_and_comments_are_shown_as_text(page, served):
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    assert search(page, served, "zorglubs") == [
        "Les balises <img src=x onerror=window.pwned=1> et nous"]
    search(page, served, "onerror")
    excerpts = page.locator(".search__results .search-result__excerpt").all_inner_texts()
    assert any("<img src=x onerror=window.pwned=3> <b>" in text for text in excerpts)
    assert page.locator(".search__results img, .search__results script, "
                        ".search__results b").count() == 0
    page.goto(served + "/")
    page.fill("#site-search-q", "onerror")
    page.wait_for_selector(".site-search__results .search-result")
    assert page.locator(".site-search__results img, .site-search__results script").count() == 0
    assert page.evaluate("window.pwned") is None and dialogs == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_is_accessible(browser, served, scheme):
    if not AXE.exists():
        missing("axe-core", f"npm package, looked for at {AXE}")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    try:
        search(page, served, "cookies")
        assert axe_violations(page) == []
        page.goto(served + "/")
        page.fill("#site-search-q", "cookies")
        page.wait_for_selector(".site-search__results .search-result")
        assert axe_violations(page) == []
    finally:
        context.close()
