"""`reflexgen serve` seen by a real browser: Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import socket
import time

import pytest

from conftest import REPO, Site, article

LONG_BODY = "\n\n".join(f"Paragraphe {i} : du texte pour pouvoir faire défiler la page."
                        for i in range(80))
ARTICLE = "/2024/03/premier/"


@pytest.fixture
def blog(site: Site) -> Site:
    style = (REPO / "themes/default/static/style.css").read_text(encoding="utf-8")
    return site.write({
        "content/posts/a.md": article("Premier billet", "2024-03-01", LONG_BODY, slug="premier"),
        "themes/default/static/style.css": style,
    })


def open_live(page, url: str) -> None:
    """Open a page and wait until its live-reload connection is open."""
    page.goto(url)
    page.wait_for_function("window.__reflexgen && window.__reflexgen.open", timeout=10_000)


def test_article_edit_appears_without_a_manual_reload(blog, serving, page):
    server = serving()
    open_live(page, server.url.rstrip("/") + ARTICLE)
    page.evaluate("window.scrollTo(0, 600)")
    started = time.monotonic()
    blog.write({"content/posts/a.md": article("Premier billet", "2024-03-01",
                                              LONG_BODY + "\n\nUne phrase toute neuve.",
                                              slug="premier")})
    page.wait_for_function("document.body.innerText.includes('Une phrase toute neuve.')",
                           timeout=2_000)
    assert time.monotonic() - started < 2
    page.wait_for_function("window.scrollY === 600", timeout=2_000)  # where the reader was


def test_stylesheet_edit_applies_without_a_reload(blog, serving, page):
    server = serving()
    open_live(page, server.url)
    page.evaluate("window.keptAcrossEdits = 42")
    style = blog.root / "themes/default/static/style.css"
    style.write_text(style.read_text() + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n")
    page.wait_for_function("getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'",
                           timeout=5_000)
    assert page.evaluate("window.keptAcrossEdits") == 42


def test_broken_front_matter_shows_the_problem_until_fixed(blog, serving, page):
    server = serving()
    open_live(page, server.url.rstrip("/") + ARTICLE)
    blog.write({"content/posts/a.md": "---\ntitle: [oops\ndate: 2024-03-01\n---\nTexte.\n"})
    overlay = page.locator("#reflexgen-problems")
    overlay.wait_for(timeout=5_000)
    assert "content/posts/a.md" in overlay.inner_text()
    assert "invalid YAML" in overlay.inner_text()
    assert "le site n’a pas pu être reconstruit" in overlay.inner_text()  # the site is in French
    # Opaque and above the page, whatever the theme's own styles say.
    assert page.evaluate("document.elementFromPoint(innerWidth / 2, 80).closest("
                         "'#reflexgen-problems') !== null")
    blog.write({"content/posts/a.md": article("Premier billet réparé", "2024-03-01", "Texte.",
                                              slug="premier")})
    page.wait_for_function("document.body.innerText.includes('Premier billet réparé')",
                           timeout=5_000)
    assert overlay.count() == 0


def test_a_new_article_appears_on_the_open_home_page(blog, serving, page):
    server = serving()
    open_live(page, server.url)
    blog.write({"content/posts/b.md": article("Un billet tout frais", "2024-03-09",
                                              slug="frais")})
    page.wait_for_function("document.body.innerText.includes('Un billet tout frais')",
                           timeout=5_000)


def test_a_deleted_article_gives_404(blog, serving, page):
    server = serving()
    url = server.url.rstrip("/") + ARTICLE
    open_live(page, url)
    blog.remove("content/posts/a.md")
    page.wait_for_function("!document.body.innerText.includes('Premier billet')", timeout=5_000)
    response = page.goto(url)
    assert response is not None and response.status == 404


def test_the_page_reconnects_by_itself_after_a_server_restart(blog, serving, page):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    first = serving("--port", port)
    open_live(page, first.url.rstrip("/") + ARTICLE)
    assert first.stop() == 0
    page.wait_for_function("!window.__reflexgen.open", timeout=5_000)
    second = serving("--port", port)
    page.wait_for_function("window.__reflexgen && window.__reflexgen.open", timeout=10_000)
    blog.write({"content/posts/a.md": article("Premier billet", "2024-03-01",
                                              "Après le redémarrage.", slug="premier")})
    page.wait_for_function("document.body.innerText.includes('Après le redémarrage.')",
                           timeout=5_000)
    assert second.url == first.url


def test_a_title_edit_keeps_the_page_and_a_slug_edit_follows_it(blog, serving, page):
    server = serving()
    open_live(page, server.url.rstrip("/") + ARTICLE)
    blog.write({"content/posts/a.md": article("Premier billet, titre corrigé", "2024-03-01",
                                              LONG_BODY, slug="premier")})
    page.wait_for_function("document.title.includes('titre corrigé')", timeout=5_000)
    assert page.url.endswith(ARTICLE)  # fixing a title never moves a page
    page.wait_for_function("window.__reflexgen && window.__reflexgen.open", timeout=10_000)
    blog.write({"content/posts/a.md": article("Premier billet, titre corrigé", "2024-03-01",
                                              LONG_BODY, slug="premier-billet")})
    page.wait_for_url("**/2024/03/premier-billet/", timeout=5_000)
    assert "titre corrigé" in page.title() and "introuvable" not in page.content()
