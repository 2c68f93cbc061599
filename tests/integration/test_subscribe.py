"""Feeds for people: every feed names the theme's XSLT stylesheet (feed readers read the same
feeds as before), and the subscribe page and the OPML file offer every feed the build wrote."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from conftest import SITE_TOML, article, built_demo, logical

INSTRUCTION = re.compile(rb'<\?xml-stylesheet type="text/xsl" href="([^"]*)"\?>\n')


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo blog, built: its feeds, subscribe page and OPML file."""
    return built_demo(tmp_path_factory.mktemp("demo"))


def feed_files(output: Path) -> list[Path]:
    """Every feed in the output: the site's, tags', categories', authors' and discussions'."""
    return sorted(p for p in output.rglob("*") if p.name in ("feed.xml", "atom.xml")
                  or p.suffix == ".atom")


def offered(output: Path) -> set[str]:
    """The feeds a subscriber may want, as absolute URLs: all but the discussions'."""
    return {"https://reflexions.example.org/" + p.relative_to(output).as_posix()
            for p in feed_files(output) if p.suffix == ".xml"}


def test_every_feed_names_the_stylesheet_right_after_its_declaration(demo):
    feeds = feed_files(demo)
    assert {p.name for p in feeds} == {"feed.xml", "atom.xml", "comments.atom"}
    for path in feeds:
        data = path.read_bytes()
        declaration, _, rest = data.partition(b"\n")
        assert declaration == b"<?xml version='1.0' encoding='UTF-8'?>", path
        assert INSTRUCTION.match(rest).group(1) == b"/feed.xsl", path
        assert len(INSTRUCTION.findall(data)) == 1, path
    assert (demo / "feed.xsl").is_file()


def test_feed_readers_read_the_same_feeds_as_without_the_stylesheet(demo):
    """The instruction is the only change: feedparser reads every feed, RSS and Atom, without
    complaint and exactly as it reads the feed without it."""
    for path in feed_files(demo):
        data = path.read_bytes()
        styled, plain = feedparser.parse(data), feedparser.parse(INSTRUCTION.sub(b"", data))
        assert styled.bozo == 0, (path, styled.get("bozo_exception"))
        assert styled.entries and styled.entries == plain.entries, path
        assert styled.feed == plain.feed and styled.version == plain.version, path
        tree = lxml.etree.fromstring(data)
        assert tree.getprevious().target == "xml-stylesheet"  # a sibling of the root, first


def transform(demo: Path, feed: str) -> lxml.etree._Element:
    """The page a browser makes of a feed: libxslt, the XSLT engine of Chromium and Safari."""
    style = lxml.etree.XSLT(lxml.etree.parse(str(demo / "feed.xsl")))
    return lxml.html.fromstring(str(style(lxml.etree.parse(str(demo / feed)))))


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml", "tags/publicite/feed.xml",
                                  "authors/helene-marchand/feed.xml",
                                  "categories/marketing/feed.xml"])
def test_the_stylesheet_shows_the_feed_as_a_page(demo, feed):
    parsed = feedparser.parse((demo / feed).read_bytes())
    page = transform(demo, feed)
    assert page.get("lang") == "fr"
    assert page.get("class") == "has-accent" and page.get("style") is None
    sheets = [logical(url) for url in page.xpath("//link[@rel='stylesheet']/@href")]
    assert sheets == ["/theme/style.css", "/theme/accent.css"]  # the site's look: its colour too
    assert all((demo / url.lstrip("/")).is_file() for url in page.xpath("//link/@href"))
    assert page.xpath("string(//h1)") == parsed.feed.title
    assert page.xpath("//input[@id='feed-address']/@value") == \
        ["https://reflexions.example.org/" + feed]
    entries = [(a.text_content(), a.get("href")) for a in page.xpath("//li[@class='feed-entry']/a")]
    assert entries == [(e.title, e.link) for e in parsed.entries]
    first = parsed.entries[0].published_parsed
    time = page.xpath("//li[@class='feed-entry']/time")[0]
    assert time.get("datetime") == f"{first.tm_year}-{first.tm_mon:02d}-{first.tm_mday:02d}"
    assert re.fullmatch(r"\d{1,2} [a-zéû]+ \d{4}", time.text_content()), time.text_content()
    assert "/abonnement/" in page.xpath("//a/@href")
    assert "Qu’est-ce qu’un flux" in page.text_content()
    # Nothing from another site: the only absolute addresses are the feed's own links.
    loaded = page.xpath("//@src | //link/@href")
    assert all(url.startswith("/") for url in loaded), loaded


def test_the_stylesheet_shows_a_discussion(demo):
    feed = next(demo.glob("2024/10/*/comments.atom")).relative_to(demo).as_posix()
    parsed = feedparser.parse((demo / feed).read_bytes())
    page = transform(demo, feed)
    assert [a.text_content() for a in page.xpath("//li[@class='feed-entry']/a")] == \
        [e.title for e in parsed.entries]


def test_the_subscribe_page_offers_every_feed_written(demo):
    page = lxml.html.fromstring((demo / "abonnement/index.html").read_text(encoding="utf-8"))
    addresses = page.xpath("//input[@class='subscription__address']/@value")
    assert len(addresses) == len(set(addresses))
    assert set(addresses) == offered(demo)
    for field in page.xpath("//input[@class='subscription__address']"):
        assert field.get("readonly") is not None and field.get("type") == "text"
        label = page.xpath(f"//label[@for='{field.get('id')}']")
        assert label and label[0].text_content().strip()
        button = page.xpath(f"//button[@data-copy='{field.get('id')}']")[0]
        assert button.get("hidden") is not None  # shown by subscribe.js only
    headings = page.xpath("//section/h2/text()")
    assert headings == ["Tout le site", "Par rubrique", "Par signature", "Par étiquette",
                        "Tout importer d’un coup"]
    assert page.xpath("//a[@download]/@href") == ["/abonnements.opml"]
    scripts = page.xpath("//script/@src")
    assert [logical(src) for src in scripts] == ["/theme/search.js", "/theme/subscribe.js"]
    assert not page.xpath("//script[not(@src)]") and not page.xpath("//*[@onclick]")
    assert (demo / scripts[1].lstrip("/")).is_file()


def test_the_opml_file_lists_every_feed(demo):
    opml = lxml.etree.parse(str(demo / "abonnements.opml")).getroot()
    assert opml.tag == "opml" and opml.get("version") == "2.0"
    assert opml.findtext("head/title") == "Réflexions numériques"
    outlines = opml.findall("body/outline")
    for outline in outlines:
        assert outline.get("type") == "rss"
        assert outline.get("text") and outline.get("text") == outline.get("title")
        page = outline.get("htmlUrl").removeprefix("https://reflexions.example.org/")
        assert (demo / page / "index.html").is_file()
    assert {o.get("xmlUrl") for o in outlines} == {u for u in offered(demo)
                                                   if u.endswith("/feed.xml")}
    assert outlines[0].get("title") == "Réflexions numériques"
    assert "Réflexions numériques · Marketing" in {o.get("title") for o in outlines}


def test_footer_and_author_pages_link_to_the_subscribe_page(demo):
    for rel in ("index.html", "archives/index.html", next(demo.glob("20*/*/*/index.html"))):
        page = lxml.html.fromstring((demo / rel).read_text(encoding="utf-8"))
        assert page.xpath("//p[@class='site-footer__feeds']/a/@href") == \
            ["/feed.xml", "/atom.xml", "/abonnement/"]
    author = lxml.html.fromstring((demo / "authors/helene-marchand/index.html").read_text(
        encoding="utf-8"))
    links = author.xpath("//header[@class='author-profile']//p[@class='feed-links']/a/@href")
    assert links == ["/authors/helene-marchand/feed.xml", "/abonnement/"]  # RSS: [feeds]
    page = lxml.html.fromstring((demo / "abonnement/index.html").read_text(encoding="utf-8"))
    assert page.xpath("//p[@class='site-footer__feeds']/a[@aria-current='page']/@href") == \
        ["/abonnement/"]


def test_the_sitemap_lists_the_subscribe_page_but_no_file_for_machines(demo):
    sitemap = (demo / "sitemap.xml").read_text()
    assert "<loc>https://reflexions.example.org/abonnement/</loc>" in sitemap
    assert "opml" not in sitemap and "xsl" not in sitemap


def test_an_english_site_gets_english_words_and_addresses(site):
    site.write({"site.toml": SITE_TOML.replace('"fr"', '"en"'),
                "content/authors/claire.md": '---\nname: "Claire"\n---\nBio.\n',
                "content/posts/a.md": article("Hello", "2024-03-12", author="claire",
                                              tags='["x"]')})
    assert site.build().code == 0
    assert not site.exists("abonnement/index.html") and not site.exists("abonnements.opml")
    page = lxml.html.fromstring(site.read("subscribe/index.html"))
    assert page.xpath("string(//h1)") == "Subscribe"
    assert page.xpath("//section/h2/text()") == ["The whole site", "By author", "By tag",
                                                 "Import them all at once"]
    assert page.xpath("//a[@download]/@href") == ["/subscriptions.opml"]
    assert site.exists("subscriptions.opml")
    home = lxml.html.fromstring(site.read("index.html"))
    assert home.xpath("//p[@class='site-footer__feeds']/a[last()]/@href") == ["/subscribe/"]
    style = lxml.etree.XSLT(lxml.etree.parse(str(site.root / "output/feed.xsl")))
    shown = lxml.html.fromstring(str(style(lxml.etree.parse(str(site.root / "output/atom.xml")))))
    assert shown.get("lang") == "en" and "What is a feed?" in shown.text_content()
    assert shown.xpath("string(//li[@class='feed-entry']/time)") == "March 12, 2024"


def test_a_site_below_a_path_names_the_stylesheet_below_it(site):
    site.write({"site.toml": SITE_TOML.replace("blog.example.org", "example.org/blog"),
                "content/posts/a.md": article()})
    assert site.build().code == 0
    assert INSTRUCTION.search(site.read("feed.xml").encode()).group(1) == b"/blog/feed.xsl"
    page = lxml.html.fromstring(site.read("abonnement/index.html"))
    assert "https://example.org/blog/feed.xml" in \
        page.xpath("//input[@class='subscription__address']/@value")


def test_names_with_markup_characters_stay_text(site):
    site.write({"content/posts/a.md": article(tags='["R&D <ça> \\"vite\\" l’été"]')})
    assert site.build().code == 0
    name = 'R&D <ça> "vite" l’été'
    opml = lxml.etree.parse(str(site.root / "output/abonnements.opml")).getroot()
    assert f"Le Blog · {name}" in [o.get("title") for o in opml.iter("outline")]
    page = lxml.html.fromstring(site.read("abonnement/index.html"))
    assert name in page.xpath("//h3[@class='subscription__name']/a/text()")
