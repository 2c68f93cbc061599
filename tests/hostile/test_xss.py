"""Row 5: script injection through comments, author bios and titles, tried in a real
Chromium that traps every dialog: none may ever open."""

from __future__ import annotations

import pytest
import yaml

from conftest import article, static_server

PAYLOADS = [
    "<script>alert('script')</script>",
    '<img src=x onerror="alert(\'onerror\')">',
    "<svg onload=alert('svg')>",
    '"><script>alert("attr")</script>',
    "</textarea><script>alert('textarea')</script>",
    "[clic](javascript:alert('md-link'))",
    "[clic](JaVaScRiPt&#58;alert('entity'))",
    '<a href="javascript:alert(\'a\')">lien</a>',
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<details open ontoggle=alert('toggle')>",
    "<style>@import 'javascript:alert(1)';</style>",
    "';alert('quote');//",
]


@pytest.fixture
def hostile(site):
    comments = [{"id": str(i), "author": payload, "url": "javascript:alert('url')",
                 "date": "2024-03-02", "body": payload}
                for i, payload in enumerate(PAYLOADS, start=1)]
    comments[1]["parent"] = "1"
    site.write({
        "content/authors/mallory.md": "---\nname: " + yaml.safe_dump(PAYLOADS[3]).split("\n")[0]
                                      + "\nwebsite: 'https://m.example/\"><script>alert(1)"
                                        "</script>'\n---\n"
                                      + "\n\n".join(PAYLOADS),
        "content/posts/a.md": article("Titre <script>alert('title')</script>", "2024-03-01",
                                      "Corps sûr.", slug="a", author="mallory",
                                      tags='["<b onmouseover=alert(1)>tag</b>"]'),
        "content/posts/a.comments.yaml": yaml.safe_dump(comments, allow_unicode=True),
    })
    run = site.build()
    assert run.code == 0, run.stderr
    return site.root / "output"


def test_no_payload_ever_runs(hostile, browser):
    dialogs: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        with static_server(hostile) as base:
            for url in ("/2024/03/a/", "/", "/authors/mallory/", "/tags/", "/archives/"):
                page.goto(base + url)
                page.wait_for_load_state("load")
                for link in page.locator("a[href]").all():  # nothing to click either
                    href = (link.get_attribute("href") or "").strip().lower()
                    assert not href.startswith(("javascript", "data", "vbscript")), href
                page.hover("body")
                page.evaluate("() => document.querySelectorAll('details')"
                              ".forEach(d => { d.open = true; })")
                page.wait_for_timeout(100)
            assert dialogs == []
            page.goto(base + "/2024/03/a/")
            assert page.inner_text("h1") == "Titre <script>alert('title')</script>"  # as text
    finally:
        context.close()


@pytest.mark.parametrize("field", ["website: \"javascript:alert(1)\"",
                                   "social:\n  mastodon: \" JaVaScRiPt:alert(1)\""])
def test_an_author_link_must_be_a_web_address(site, field):
    site.write({"content/authors/mallory.md": f"---\nname: Mallory\n{field}\n---\nBio.\n"})
    run = site.build()
    assert run.code == 1 and "content/authors/mallory.md:3:" in run.stderr
    assert "must be a web address" in run.stderr and "Traceback" not in run.stderr
