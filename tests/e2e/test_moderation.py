"""The blogger moderates in Chromium, with JavaScript on and off (the page has none; the
browser's own behaviour must be enough): log in, approve one comment, mark others as spam
in bulk, edit one, reply as the article's author, log out; the rebuilt article shows the
approved comment with the author's reply nested under it, with its badge. A form on another
site posting to the page changes nothing; axe-core finds no serious violation."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from test_comment_flow import free_port
from test_validity import AXE, axe_violations, missing

from conftest import ServerProcess, Site, article, static_server, wait_until
from reflexgen.comments.records import Draft
from reflexgen.comments.store import SQLiteStore

PASSWORD = "une phrase de passe assez longue"
ARTICLE = "/2024/03/billet/"


@pytest.fixture
def blog(site: Site):
    with static_server(site.root / "output") as url:
        port = free_port()
        site.write({
            "site.toml": f"""\
                title = "Le Blog"
                base_url = "{url}"
                language = "fr"
                timezone = "Europe/Paris"

                [comments]
                endpoint = "http://127.0.0.1:{port}/"
                """,
            "content/authors/claire.md": '---\nname: "Claire Dumas"\ngender: f\n---\nBio.\n',
            "content/posts/billet.md": article("Billet", "2024-03-12", "Du texte.",
                                               slug="billet", author="claire"),
            "output/ailleurs.html": "<!doctype html><title>Ailleurs</title>"})
        assert site.build().code == 0
        done = subprocess.run([sys.executable, "-m", "reflexgen", "comments", "set-password",
                               "--site", str(site.root)], input=PASSWORD + "\n",
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        store = SQLiteStore(site.root / "comments.sqlite3")
        for n, body in enumerate(["Un avis **sensé** à approuver.", "Achetez ici",
                                  "Encore du pourriel", "Un texte avec une fote."]):
            store.add(Draft("posts/billet.md", None, f"Lecteur {n}", None, None, body, "h"),
                      "pending", (), datetime.now(UTC))
        store.close()
        intake = ServerProcess(
            [sys.executable, "-m", "reflexgen", "comments", "serve", "--site", str(site.root),
             "--host", "127.0.0.1", "--port", str(port)], "intake listening on http://")
        try:
            yield site, url, f"http://127.0.0.1:{port}"
        finally:
            intake.stop_cleanly()


def status(site: Site) -> dict[str, str]:
    store = SQLiteStore(site.root / "comments.sqlite3")
    try:
        return {s.body: s.status for s in store.find()}
    finally:
        store.close()


def entry(page, text: str):
    return page.locator("article.admin-entry", has_text=text)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_moderate_from_the_page(blog, browser, js):
    site, url, intake = blog
    context = browser.new_context(java_script_enabled=js, viewport={"width": 390,
                                                                    "height": 844})
    page = context.new_page()
    try:
        page.goto(intake + "/admin/")
        page.fill("#admin-password", PASSWORD)
        page.click("button[type=submit]")
        assert page.locator("h1").inner_text() == "Commentaires à modérer"

        entry(page, "sensé").get_by_role("button", name="Approuver").click()
        assert "1 commentaire approuvé" in page.locator("[role=status]").inner_text()

        for text in ("Achetez ici", "Encore du pourriel"):
            entry(page, text).locator("input[type=checkbox]").check()
        page.select_option("#admin-action", "spam")
        page.get_by_role("button", name="Appliquer").click()
        assert "2 commentaires marqués indésirables" in page.locator("[role=status]").inner_text()

        entry(page, "une fote").get_by_role("link", name="Modifier ou répondre").click()
        page.fill("#admin-text", "Un texte sans faute.")
        page.get_by_role("button", name="Enregistrer").click()
        page.goto(intake + "/admin/?status=all")
        entry(page, "sensé").get_by_role("link", name="Modifier ou répondre").click()
        page.fill("#admin-reply", "Merci pour ce retour !")
        page.get_by_role("button", name="Publier la réponse").click()
        assert "Réponse publiée" in page.locator("[role=status]").inner_text()

        page.get_by_role("button", name="Se déconnecter").click()
        assert page.locator("#admin-password").count() == 1
    finally:
        context.close()
    assert status(site) == {"Un avis **sensé** à approuver.": "approved", "Achetez ici": "spam",
                            "Encore du pourriel": "spam", "Un texte sans faute.": "pending",
                            "Merci pour ce retour !": "approved"}
    built = site.root / "output" / ARTICLE.strip("/") / "index.html"
    wait_until(lambda: "Merci pour ce retour" in built.read_text(), 30)
    reader = browser.new_page()
    try:
        reader.goto(url + ARTICLE)
        parent = reader.locator("li.comment", has_text="sensé").first
        reply = parent.locator("li.comment--by-author", has_text="Merci pour ce retour")
        assert reply.count() == 1 and reply.locator(".badge").text_content() == "Autrice"
    finally:
        reader.close()


def test_a_form_on_another_site_changes_nothing(blog, browser):
    """Logged in, the moderator visits a page elsewhere (here: the blog's host, another
    origin) that posts to the moderation page: refused, though the browser sends the cookie
    (127.0.0.1 on two ports is one site for SameSite)."""
    site, url, intake = blog
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(intake + "/admin/")
        page.fill("#admin-password", PASSWORD)
        page.click("button[type=submit]")
        csrf = page.locator("input[name=csrf]").first.get_attribute("value")
        page.goto(url + "/ailleurs.html")
        page.set_content(f"""<form method="post" action="{intake}/admin/act">
            <input name="csrf" value="{csrf}"><input name="action" value="delete">
            <input name="id" value="c1"><button>go</button></form>""")
        page.click("button")
        page.wait_for_load_state()
        assert "ne vient pas de la page de modération" in page.content()
    finally:
        context.close()
    assert len(status(site)) == 4


def test_the_moderation_pages_are_accessible(blog, browser):
    if not AXE.exists():
        missing("axe-core", f"npm package, looked for at {AXE}")
    site, url, intake = blog
    context = browser.new_context(bypass_csp=True)  # the page's CSP would refuse axe-core
    page = context.new_page()
    found = {}
    try:
        page.goto(intake + "/admin/")
        found["login"] = axe_violations(page)
        page.fill("#admin-password", PASSWORD)
        page.click("button[type=submit]")
        found["queue"] = axe_violations(page)
        entry(page, "sensé").get_by_role("link", name="Modifier ou répondre").click()
        found["edit"] = axe_violations(page)
    finally:
        context.close()
    assert found == {"login": [], "queue": [], "edit": []}
