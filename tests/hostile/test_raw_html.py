"""Row 6: raw HTML in articles is the site's choice (allowed by default, and logged);
comments and author bios are sanitized whatever the setting."""

from __future__ import annotations

import lxml.html
import pytest

from conftest import SITE_TOML, article

BODY = ('Texte.\n\n<div class="encadre" onclick="alert(1)">Encadré</div>\n\n'
        '<script>alert("article")</script>\n\n<a href="javascript:alert(2)">lien</a>')
COMMENT = ("- id: 1\n  author: X\n  date: 2024-03-02\n"
           "  body: '<script>alert(3)</script> <b>gras</b>'\n")
BIO = '---\nname: "Zoé"\n---\n<script>alert(4)</script><em onmouseover="alert(5)">Bio</em>\n'


def built(site, setting: str | None):
    site.write({"site.toml": SITE_TOML + (f'raw_html = "{setting}"\n' if setting else ""),
                "content/posts/a.md": article("Brut", "2024-03-01", BODY, slug="a",
                                              author="zoe"),
                "content/posts/a.comments.yaml": COMMENT, "content/authors/zoe.md": BIO})
    run = site.build("-v")
    assert run.code == 0, run.stderr
    return lxml.html.fromstring(site.read("2024/03/a/index.html")), run.stderr


@pytest.mark.parametrize("setting", [None, "allow", "sanitize", "escape"])
def test_raw_html_setting(site, setting):
    page, log = built(site, setting)
    body = page.xpath("//div[@class='prose']")[0]
    scripts = [s.text for s in page.xpath("//script[not(@type='application/ld+json')]")
               if s.text and "alert" in s.text]
    if setting in (None, "allow"):
        assert body.xpath(".//div[@class='encadre']/@onclick") == ["alert(1)"]  # as written
        assert scripts == ['alert("article")']
        assert "content/posts/a.md: raw HTML kept as written" in log
    elif setting == "sanitize":
        assert body.xpath(".//div[@class='encadre']/text()") == ["Encadré"]
        assert not body.xpath(".//*[@onclick]") and scripts == []
        assert body.xpath(".//a[text()='lien']/@href") == []
    else:
        assert not body.xpath(".//div[@class='encadre']") and scripts == []
        assert '<div class=' in body.text_content()  # shown as text
    # Whatever the setting: the comment and the bio are sanitized.
    comment = page.xpath("//li[@id='comment-1']//div[@class='comment__body']")[0]
    assert not comment.xpath(".//script") and "alert(3)" in comment.text_content()
    bio = page.xpath("//div[@class='author-bio']")[0]
    assert not bio.xpath(".//script | .//*[@onmouseover]")


def test_an_unknown_raw_html_setting_is_an_error(site):
    site.write({"site.toml": SITE_TOML + 'raw_html = "maybe"\n', "content/posts/a.md": article()})
    run = site.build()
    assert run.code == 1 and "raw_html must be one of allow, sanitize, escape" in run.stderr
