"""The theme's files published under content-named addresses, the site's colour as a stylesheet,
and pages with no inline style or script (a Content-Security-Policy of `style-src 'self';
script-src 'self'` holds)."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html

from conftest import SITE_TOML, Site, article
from reflexgen.build import BuildOptions, build
from reflexgen.errors import Reporter

CONTENT_NAMED = re.compile(r".*\.[0-9a-f]{10}(\.[A-Za-z0-9]+)?")
ACCENT = 'accent_color = "#1f3a5f"\n'


def build_site(site: Site):
    return build(BuildOptions(site_dir=site.root, jobs=1), Reporter(verbosity=-1))


def blog(site: Site, toml: str = SITE_TOML) -> Path:
    site.write({"site.toml": toml + "search = false\n",
                "content/posts/a.md": article("Premier", "2024-03-01", "Texte.", slug="a",
                                              tags='["x"]'),
                "content/pages/apropos.md": '---\ntitle: "À propos"\n---\nNous.\n'})
    build_site(site)
    return site.root / "output"


def documents(output: Path):
    """Every page of the output, and the feeds' stylesheet as the page it makes."""
    for path in sorted(output.rglob("*.html")):
        yield path, lxml.html.fromstring(path.read_bytes())
    xsl = lxml.etree.parse(str(output / "feed.xsl"))
    yield output / "feed.xsl", xsl


def test_the_theme_folder_holds_content_named_files_only(site):
    output = blog(site, SITE_TOML + ACCENT)
    theme = [p.relative_to(output / "theme").as_posix() for p in (output / "theme").rglob("*")
             if p.is_file()]
    assert theme and all(CONTENT_NAMED.fullmatch(name) for name in theme), theme
    assert {name.split(".")[0] for name in theme} == {
        "style", "accent", "favicon", "search", "share", "comments", "subscribe"}
    linked = set()
    for _, doc in documents(output):
        for element in doc.iter():
            for name in ("href", "src"):
                value = element.get(name) if isinstance(element.tag, str) else None
                if value and value.startswith("/theme/"):
                    linked.add(value)
    assert linked and all((output / url.lstrip("/")).is_file() for url in linked), linked


def test_the_site_colour_is_a_linked_stylesheet_and_no_page_has_an_inline_style(site):
    output = blog(site, SITE_TOML + ACCENT)
    home = lxml.html.fromstring((output / "index.html").read_bytes())
    sheets = home.xpath("//link[@rel='stylesheet']/@href")
    assert len(sheets) == 2 and re.fullmatch(r"/theme/accent\.[0-9a-f]{10}\.css", sheets[1])
    assert (output / sheets[1].lstrip("/")).read_text() == ":root {\n  --site-accent: #1f3a5f;\n}\n"
    assert home.get("class") == "has-accent" and home.get("style") is None
    xsl = (output / "feed.xsl").read_text()
    assert sheets[1] in xsl and "style=" not in xsl
    for path, doc in documents(output):
        inline = [e for e in doc.iter() if isinstance(e.tag, str)
                  and (e.get("style") is not None or e.tag.endswith("style"))]
        scripts = [e for e in doc.iter() if isinstance(e.tag, str) and e.tag.endswith("script")
                   and not e.get("src") and e.get("type") != "application/ld+json"]
        assert not inline and not scripts, path


def test_without_a_colour_there_is_no_accent_stylesheet(site):
    output = blog(site)
    assert not list((output / "theme").glob("accent.*"))
    assert "accent." not in (output / "index.html").read_text()


def test_a_table_aligns_its_columns_with_classes(site):
    site.write({"content/posts/t.md": article(
        "Tableau", "2024-03-02", "| a | b |\n|:-:|--:|\n| 1 | 2 |\n", slug="t")})
    output = blog(site)
    page = (output / "2024/03/t/index.html").read_text()
    assert '<th class="align-center">a</th>' in page and '<td class="align-right">2</td>' in page
    assert "text-align" not in page


def test_nothing_of_content_is_published_among_the_theme_files(site):
    site.write({"content/posts/a.md": article("Premier", "2024-03-01", slug="a"),
                "content/theme/style.css": "body {}", "content/resized/x.png": "png"})
    run = site.build()
    assert run.code == 1
    assert "content/theme/style.css would be published among the theme's files" in run.stderr
    assert "content/resized/x.png would be published among resized photos" in run.stderr
