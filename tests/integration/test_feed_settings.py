"""The `[feeds]` settings: by default a tag's, category's or author's feed is RSS alone with
summaries, the site's RSS and Atom with full content; every list of feeds (the head's links,
the subscribe page, the OPML file, the hosting files) follows the planned feeds. And a feed
made of entries serialised once is byte for byte the feed feedgen writes whole."""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
from PIL import Image

from conftest import SITE_TOML, Site, article
from reflexgen.build import BuildOptions, build, compare_trees
from reflexgen.errors import Reporter
from reflexgen.render import feeds as feeds_module

BOTH_FULL = '\n[feeds]\ntaxonomy_formats = ["rss", "atom"]\ntaxonomy_content = "full"\n'
TAXA = ("tags/strategie/", "tags/medias/", "categories/essais/", "authors/claire/",
        "authors/paul/")


@pytest.fixture
def blog(site: Site) -> Site:
    (site.root / "content/images").mkdir(parents=True)
    Image.new("RGB", (8, 8), "navy").save(site.root / "content/images/logo.png")  # RSS <image>
    return site.write({
        "site.toml": SITE_TOML + 'logo = "/images/logo.png"\n',
        "content/authors/claire.md": '---\nname: "Claire Dumas"\n---\nBio.\n',
        "content/authors/paul.md": '---\nname: "Paul"\n---\nBio.\n',
        "content/posts/a.md": article(
            "Réseaux & « médias »", "2024-03-12T09:30:00+01:00",
            "Le résumé, avec [un lien](/2024/02/b/).\n\nLe corps : <b>gras</b> & ]]> fin.\n\n"
            "Une ligne\navec un retour.", slug="a", author="claire",
            tags='["stratégie", "médias"]', category="Essais"),
        "content/posts/b.md": article("Le SEO est-il mort ?", "2024-02-01",
                                      "Premier paragraphe.\n\nLa suite.", slug="b",
                                      authors='["claire", "paul"]', tags='["stratégie"]',
                                      category="Essais"),
        "content/posts/c.md": article("Sans rien", "2024-01-05", "Court.", slug="c"),
    })


def feed_files(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*")
            if p.name in ("feed.xml", "atom.xml") or p.suffix == ".atom"}


def test_by_default_taxonomy_feeds_are_rss_with_summaries_and_the_site_feeds_full(blog):
    assert blog.build().code == 0
    output = blog.root / "output"
    assert feed_files(output) == {"feed.xml", "atom.xml"} | {f"{t}feed.xml" for t in TAXA}
    for rel in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(blog.read(rel))
        assert parsed.bozo == 0 and len(parsed.entries) == 3
        assert all(e.link and e.summary and e.content for e in parsed.entries), rel
        assert "gras" in parsed.entries[0].content[0].value
    for folder in TAXA:
        parsed = feedparser.parse(blog.read(folder + "feed.xml"))
        assert parsed.bozo == 0, (folder, parsed.get("bozo_exception"))
        assert parsed.version == "rss20" and parsed.entries, folder
        for entry in parsed.entries:
            assert entry.link.startswith("https://blog.example.org/20") and entry.summary
            assert "content" not in entry, folder  # the summary and a link, not the article
            assert entry.id.startswith("tag:blog.example.org,")
        assert b"content:encoded" not in (output / folder / "feed.xml").read_bytes()
    first = feedparser.parse(blog.read("tags/strategie/feed.xml")).entries[0]
    assert "https://blog.example.org/2024/02/b/" in first.summary and "gras" not in first.summary


def links(page: str) -> list[tuple[str, str]]:
    tree = lxml.html.fromstring(page)
    return [(link.get("type"), link.get("href"))
            for link in tree.xpath("//link[@rel='alternate'][@type!='text/html']")]


def test_every_list_of_feeds_follows_the_planned_feeds(blog):
    assert blog.build().code == 0
    output = blog.root / "output"
    written = feed_files(output)
    site = [("application/rss+xml", "/feed.xml"), ("application/atom+xml", "/atom.xml")]
    assert links(blog.read("tags/strategie/index.html")) == \
        site + [("application/rss+xml", "/tags/strategie/feed.xml")]
    assert links(blog.read("authors/paul/index.html")) == \
        site + [("application/rss+xml", "/authors/paul/feed.xml")]
    assert links(blog.read("index.html")) == site
    for folder in ("tags/strategie/", "authors/paul/", "categories/essais/"):
        shown = lxml.html.fromstring(blog.read(folder + "index.html")).xpath(
            "//p[@class='feed-links']//a/@href")
        assert [h for h in shown if h.endswith(".xml")] == [f"/{folder}feed.xml"]
    footer = lxml.html.fromstring(blog.read("index.html")).xpath(
        "//p[@class='site-footer__feeds']/a/@href")
    assert footer[:2] == ["/feed.xml", "/atom.xml"]
    page = lxml.html.fromstring(blog.read("abonnement/index.html"))
    offered = {v.removeprefix("https://blog.example.org/")
               for v in page.xpath("//input[@class='subscription__address']/@value")}
    assert offered == written  # every feed written, and nothing else
    opml = lxml.etree.fromstring(blog.read("abonnements.opml").encode())
    assert {u.removeprefix("https://blog.example.org/") for u in opml.xpath("//outline/@xmlUrl")} \
        == {"feed.xml"} | {f"{t}feed.xml" for t in TAXA}


def test_the_settings_bring_back_both_formats_with_full_content(blog):
    blog.write({"site.toml": SITE_TOML + 'logo = "/images/logo.png"\n' + BOTH_FULL})
    assert blog.build().code == 0
    output = blog.root / "output"
    assert feed_files(output) == {"feed.xml", "atom.xml"} | \
        {f"{t}{name}" for t in TAXA for name in ("feed.xml", "atom.xml")}
    for folder in TAXA:
        for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse(blog.read(folder + name))
            assert parsed.bozo == 0 and parsed.version == version
            assert all(e.summary and e.content for e in parsed.entries), folder + name
    assert links(blog.read("tags/strategie/index.html"))[2:] == \
        [("application/rss+xml", "/tags/strategie/feed.xml"),
         ("application/atom+xml", "/tags/strategie/atom.xml")]
    for folder in ("tags/strategie/", "authors/paul/"):
        shown = lxml.html.fromstring(blog.read(folder + "index.html")).xpath(
            "//p[@class='feed-links']//a/@href")
        assert [h for h in shown if h.endswith(".xml")] == \
            [f"/{folder}feed.xml", f"/{folder}atom.xml"]
    # Atom alone, and summaries: the settings are independent of each other.
    blog.write({"site.toml": SITE_TOML + 'logo = "/images/logo.png"\n[feeds]\n'
                                         'taxonomy_formats = ["atom"]\n'})
    assert blog.build().code == 0
    assert feed_files(output) == {"feed.xml", "atom.xml"} | {f"{t}atom.xml" for t in TAXA}
    assert "content" not in feedparser.parse(blog.read("tags/medias/atom.xml")).entries[0]
    # None at all: the site's feeds remain, and nothing links a tag's.
    blog.write({"site.toml": SITE_TOML + '[feeds]\ntaxonomy_formats = []\n'})
    assert blog.build().code == 0
    assert feed_files(output) == {"feed.xml", "atom.xml"}
    assert not lxml.html.fromstring(blog.read("tags/strategie/index.html")).xpath(
        "//p[@class='feed-links']")


def build_into(blog: Site, output: Path, cache: Path) -> None:
    result = build(BuildOptions(site_dir=blog.root, output_dir=output, jobs=1, clean=True,
                                cache_dir=cache), Reporter())
    assert result.feeds


@pytest.mark.parametrize("settings", ["", BOTH_FULL])
def test_spliced_feeds_are_the_bytes_feedgen_writes_for_the_whole_feed(blog, tmp_path,
                                                                       monkeypatch, settings):
    """Each feed made of entries serialised once equals feedgen building the whole feed
    itself (its tree with every entry, serialised at once), for every feed of the site."""
    blog.write({"site.toml": SITE_TOML + 'logo = "/images/logo.png"\n' + settings,
                **{f"content/posts/n{i}.md": article(f"N° {i} <&>", f"2023-05-{i + 1:02}",
                                                     f"Résumé {i}.\n\nCorps\n\n    code {i}",
                                                     tags='["stratégie"]')
                   for i in range(25)}})  # more than the 20 entries of a feed
    generator = feeds_module.FeedRenderer.generator
    fallbacks = []
    monkeypatch.setattr(feeds_module.FeedRenderer, "generator",
                        lambda self, job: fallbacks.append(job) or generator(self, job))
    build_into(blog, tmp_path / "spliced", tmp_path / "cache1")
    assert not fallbacks  # every feed was spliced, none built whole
    monkeypatch.setattr(feeds_module.FeedRenderer, "generator", generator)
    calls = []
    original = feeds_module.FeedRenderer.spliced

    def whole(self, job):
        calls.append(job.url)
        return feeds_module.serialise(self.generator(job), job.format)

    monkeypatch.setattr(feeds_module.FeedRenderer, "spliced", whole)
    build_into(blog, tmp_path / "whole", tmp_path / "cache2")
    assert calls and original is not whole
    spliced = feed_files(tmp_path / "spliced")
    assert spliced == feed_files(tmp_path / "whole") and len(spliced) >= 7
    for rel in spliced:
        assert (tmp_path / "spliced" / rel).read_bytes() == \
            (tmp_path / "whole" / rel).read_bytes(), rel



def rebuild(blog: Site):
    return build(BuildOptions(site_dir=blog.root, jobs=1), Reporter())


@pytest.mark.parametrize("settings", ["", BOTH_FULL])
def test_an_edit_reaches_the_tag_feeds_that_show_it(blog, tmp_path, settings):
    """An incremental build renders again a tag's feed when an entry of it changes as that
    feed shows it (with summaries: its summary, title…; with full content, its body too), and
    gives what a full build gives."""
    blog.write({"site.toml": SITE_TOML + 'logo = "/images/logo.png"\n' + settings})
    rebuild(blog)
    post = blog.root / "content/posts/a.md"
    post.write_text(post.read_text().replace("Le résumé", "Le nouveau résumé"))
    result = rebuild(blog)
    assert {"feed.xml", "atom.xml", "tags/strategie/feed.xml", "tags/medias/feed.xml",
            "categories/essais/feed.xml", "authors/claire/feed.xml"} <= set(result.rendered)
    assert "authors/paul/feed.xml" not in result.rendered  # b alone is Paul's
    for rel in ("tags/strategie/feed.xml", "feed.xml"):
        assert "Le nouveau résumé" in feedparser.parse(blog.read(rel)).entries[0].summary
    # Past the summary: the site's feeds show it, and tag feeds too if they carry the body.
    post.write_text(post.read_text().replace("avec un retour", "avec un autre retour"))
    result = rebuild(blog)
    assert {"feed.xml", "atom.xml"} <= set(result.rendered)
    assert ("tags/strategie/feed.xml" in result.rendered) == bool(settings)
    shown = blog.read("tags/strategie/feed.xml")
    assert ("un autre retour" in shown) == bool(settings)
    fresh = tmp_path / "fresh"
    build(BuildOptions(site_dir=blog.root, output_dir=fresh, clean=True, jobs=1,
                       cache_dir=tmp_path / "fresh-cache"), Reporter())
    assert compare_trees(blog.root / "output", fresh) == []
