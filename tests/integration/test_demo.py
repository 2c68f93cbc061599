"""The demo blog in this repository builds cleanly and shows what the issue promises."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import feedparser
import lxml.html
import pytest
import yaml

from conftest import REPO
from reflexgen.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("demo")  # a copy: the build's cache stays out of the repo
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.toml", site)
    out = site / "output"
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["build", "--site", str(site), "--strict"])
    assert code == 0, err.getvalue()
    assert "warning" not in err.getvalue()
    return out


def page(out: Path, rel: str):
    return lxml.html.fromstring((out / rel).read_text(encoding="utf-8"))


def test_demo_has_articles_authors_categories_pages(demo):
    articles = [p for p in demo.glob("20*/*/*/index.html")]
    assert len(articles) >= 8
    authors = [p for p in demo.glob("authors/*/index.html")]
    assert len(authors) >= 3
    assert len(list(demo.glob("categories/*/index.html"))) == 2
    assert (demo / "a-propos/index.html").exists()
    for author in authors:
        assert page(demo, str(author.relative_to(demo))).xpath("//div[@class='author-bio']/p")


def test_demo_threads_inline_and_sidecar(demo):
    nested = 0
    for path in demo.glob("20*/*/*/index.html"):
        doc = page(demo, str(path.relative_to(demo)))
        if doc.xpath("//li[contains(@class, 'comment')]//li[contains(@class, 'comment')]"):
            nested += 1
    assert nested >= 2
    quitter = next(demo.glob("20*/*/quitter-x*/index.html"))
    doc = page(demo, str(quitter.relative_to(demo)))
    assert doc.xpath("//li[contains(@class, 'comment--by-author')]")
    assert "réflexions sur «\u00a0" in doc.xpath("string(//h2[@id='comments-title'])")


def test_demo_draft_is_not_published(demo):
    drafts = [p for p in (REPO / "content/posts").rglob("*.md") if "\ndraft: true" in p.read_text()]
    assert drafts
    for draft in drafts:
        title = yaml.safe_load(draft.read_text().split("---")[1])["title"]
        for path in demo.rglob("*"):
            if path.suffix in (".html", ".xml"):
                assert title not in path.read_text(encoding="utf-8"), path


def test_demo_feeds(demo):
    feed = feedparser.parse((demo / "feed.xml").read_bytes())
    assert feed.bozo == 0 and len(feed.entries) >= 8
    for path in demo.rglob("*.xml"):
        if path.name in ("feed.xml", "atom.xml"):
            assert feedparser.parse(path.read_bytes()).bozo == 0, path


def test_demo_menus_logo_and_colour(demo):
    doc = page(demo, "index.html")
    header = doc.xpath("//nav[@class='site-nav']//a/@href")
    footer = doc.xpath("//nav[@class='site-footer__nav']//a/@href")
    assert "/a-propos/" in header and "/mentions-legales/" not in header
    assert footer == ["/mentions-legales/", "mailto:redaction@example.org"]
    assert doc.xpath("//a[@class='site-title']/img/@alt") == ["Réflexions numériques"]
    assert doc.xpath("//link[@rel='icon']/@href") == ["/images/favicon.svg"]
    assert doc.xpath("//meta[@name='theme-color']/@content") == ["#1f3a5f"]
    assert (demo / "images/logo.svg").is_file()
