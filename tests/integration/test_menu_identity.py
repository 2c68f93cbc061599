"""A blog that is theirs: pages and `[[menu]]` links placed and ordered in the header's and
the footer's menus, and the logo, favicon and accent colour of site.toml in every page, feed
and JSON-LD; bad values stop the build naming the file and line; incremental builds follow
every one of these settings."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import lxml.html
import pytest
from PIL import Image

from conftest import SITE_TOML, Site, article, logical
from reflexgen.build import BuildOptions, BuildResult, build, compare_trees
from reflexgen.errors import Reporter
from reflexgen.incremental.cache import Cache

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 48"><rect width="240" ' \
       'height="48"/></svg>\n'
MENU = """
[[menu]]
name = "Mastodon"
url = "https://mastodon.example/@blog"
weight = 5

[[menu]]
name = "Contact"
url = "mailto:redaction@example.org"
where = "footer"
weight = 20
"""


def page(title: str, **meta: str) -> str:
    lines = [f'title: "{title}"'] + [f"{k}: {v}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\nTexte.\n"


@pytest.fixture
def blog(site: Site) -> Site:
    return site.write({
        "site.toml": SITE_TOML + MENU,
        "content/posts/a.md": article("Un article", "2024-03-01", slug="un-article"),
        "content/pages/zebre.md": page("Zèbre", weight="-1"),
        "content/pages/a-propos.md": page("À propos"),
        "content/pages/equipe.md": page("Équipe"),  # same weight: by title, accents aside
        "content/pages/cache.md": page("Cachée", menu="false"),
        "content/pages/mentions-legales.md": page("Mentions légales", menu="footer"),
        "content/pages/confidentialite.md": page("Confidentialité", menu="footer",
                                                 weight="30"),
    })


def html(site: Site, rel: str):
    return lxml.html.fromstring(site.read(rel))


def links(doc, nav: str) -> list[tuple[str, str]]:
    return [(a.text_content(), a.get("href")) for a in doc.xpath(f"//nav[@class='{nav}']//a")]


def test_pages_and_links_in_each_menu_in_order(blog):
    assert blog.build().code == 0
    doc = html(blog, "index.html")
    built_in = [("Accueil", "/"), ("Étiquettes", "/tags/"), ("Archives", "/archives/")]
    assert links(doc, "site-nav") == built_in + [
        ("Zèbre", "/zebre/"), ("À propos", "/a-propos/"), ("Équipe", "/equipe/"),
        ("Mastodon", "https://mastodon.example/@blog")]
    assert links(doc, "site-footer__nav") == [
        ("Mentions légales", "/mentions-legales/"), ("Contact", "mailto:redaction@example.org"),
        ("Confidentialité", "/confidentialite/")]
    assert doc.xpath("//nav[@class='site-footer__nav']/@aria-label") == \
        ["Informations sur le site"]
    assert blog.exists("cache/index.html")  # out of the menus, still published
    assert "Cachée" not in blog.read("index.html")


def test_the_current_page_is_marked_in_its_menu(blog):
    assert blog.build().code == 0
    about = html(blog, "a-propos/index.html")
    assert about.xpath("//nav//a[@aria-current='page']/@href") == ["/a-propos/"]
    legal = html(blog, "mentions-legales/index.html")
    assert legal.xpath("//a[@aria-current='page']/@href") == ["/mentions-legales/"]
    assert legal.xpath("//a[@aria-current='page']/ancestor::nav/@class") == ["site-footer__nav"]


@pytest.mark.parametrize("front, message", [
    ("menu: sidebar", "'menu' must be main, footer or false, not 'sidebar'"),
    ('weight: "abc"', "'weight' must be a whole number, not 'abc'"),
    ("weight: 1.5", "'weight' must be a whole number, not '1.5'"),
])
def test_bad_menu_front_matter_names_file_and_line(site, front, message):
    site.write({"content/pages/p.md": f'---\ntitle: "P"\nslug: p\n{front}\n---\nx\n'})
    run = site.build()
    assert run.code == 1
    assert f"content/pages/p.md:4: {message}" in run.stderr


@pytest.mark.parametrize("table, line, message", [
    ('name = "X"\nurl = "javascript:alert(1)"\n', 8,
     "url of [[menu]] 'X' must be a path in the site starting with / or a full address"),
    ('name = "X"\nurl = "//evil.example/"\n', 8, "url of [[menu]] 'X'"),
    ('url = "/x/"\n', 6, "[[menu]] number 1 needs a name"),
    ('name = "X"\nurl = "/x/"\nweight = "abc"\n', 9,
     "weight of [[menu]] 'X' must be a whole number, not 'abc'"),
    ('name = "X"\nurl = "/x/"\nwhere = "sidebar"\n', 9,
     "where of [[menu]] 'X' must be \"main\" or \"footer\", not 'sidebar'"),
])
def test_bad_menu_table_names_site_toml_and_line(site, table, line, message):
    site.write({"site.toml": SITE_TOML + "\n[[menu]]\n" + table})
    run = site.build()
    assert run.code == 1
    assert f"site.toml:{line}: {message}" in run.stderr


def test_setting_swallowed_by_a_menu_table_is_pointed_out(site):
    site.write({"site.toml": SITE_TOML + '\n[[menu]]\nname = "X"\nurl = "/x/"\n'
                                         'accent_color = "#1f3a5f"\n'})
    run = site.build("--strict")
    assert run.code == 1
    assert "site.toml:9: unknown key 'accent_color' in [[menu]] 'X'" in run.stderr
    assert "move the [[menu]] tables to the end of site.toml" in run.stderr


@pytest.fixture
def branded(site: Site) -> Site:
    site.write({
        "site.toml": SITE_TOML + 'logo = "/images/logo.svg"\nfavicon = "/images/icon.png"\n'
                                 'accent_color = "#1F3A5F"\n',
        "content/images/logo.svg": LOGO,
        "content/posts/a.md": article("Un article", "2024-03-01", slug="un-article"),
    })
    Image.new("RGB", (32, 32), "navy").save(site.root / "content/images/icon.png")
    return site


def test_logo_favicon_and_accent_colour_in_every_page(branded):
    assert branded.build().code == 0
    for rel in ("index.html", "2024/03/un-article/index.html", "404.html"):
        doc = html(branded, rel)
        (logo,) = doc.xpath("//header//a[@class='site-title']/img")
        assert (logo.get("src"), logo.get("alt")) == ("/images/logo.svg", "Le Blog")
        assert (logo.get("width"), logo.get("height")) == ("240", "48")
        assert doc.xpath("//link[@rel='icon']/@href") == ["/images/icon.png"]
        assert doc.xpath("//link[@rel='icon']/@type") == ["image/png"]
        assert doc.xpath("//meta[@name='theme-color']/@content") == ["#1F3A5F"]
        assert not doc.xpath("//@style")  # the colour is a stylesheet, not an inline style
        accent = branded.published("theme/accent.css")
        assert doc.xpath("//link[@rel='stylesheet']/@href")[1:] == ["/" + accent]
        assert doc.xpath("/html/@class") == ["has-accent"]
    assert branded.read(accent) == ":root {\n  --site-accent: #1F3A5F;\n}\n"
    assert branded.exists("images/logo.svg") and branded.exists("images/icon.png")
    css = branded.read(branded.published("theme/style.css"))
    assert ":root.has-accent {\n  --accent: var(--site-accent);" in css


def test_without_identity_settings_the_theme_defaults_stay(site):
    site.write({"content/posts/a.md": article("Un article", "2024-03-01")})
    assert site.build().code == 0
    doc = html(site, "index.html")
    assert doc.xpath("//a[@class='site-title']/text()") == ["Le Blog"]
    assert [logical(u) for u in doc.xpath("//link[@rel='icon']/@href")] == ["/theme/favicon.svg"]
    assert doc.xpath("//link[@rel='icon']/@type") == ["image/svg+xml"]
    assert not doc.xpath("//meta[@name='theme-color']") and not doc.xpath("/html/@style")
    assert feedparser.parse(site.read("atom.xml")).feed.get("logo") is None


@pytest.mark.parametrize("name, media_type", [("icon.svg", "image/svg+xml"),
                                              ("favicon.ico", "image/x-icon")])
def test_favicon_type_follows_its_extension(site, name, media_type):
    site.write({"site.toml": SITE_TOML + f'favicon = "/{name}"\n', f"content/{name}": "x"})
    assert site.build().code == 0
    doc = html(site, "index.html")
    assert doc.xpath("//link[@rel='icon']/@href") == [f"/{name}"]
    assert doc.xpath("//link[@rel='icon']/@type") == [media_type]


def test_feeds_carry_logo_and_icon(branded):
    assert branded.build().code == 0
    atom = feedparser.parse(branded.read("atom.xml")).feed
    assert atom.icon == "https://blog.example.org/images/icon.png"
    # RSS takes a GIF, JPEG or PNG only: the SVG logo gives way to the PNG favicon.
    assert atom.logo == "https://blog.example.org/images/icon.png"
    rss = feedparser.parse(branded.read("feed.xml")).feed
    assert rss.image.href == "https://blog.example.org/images/icon.png"
    assert rss.image.link == "https://blog.example.org/"


def test_json_ld_names_the_publisher_and_its_logo(branded):
    assert branded.build().code == 0
    publisher = {"@type": "Organization", "name": "Le Blog", "url": "https://blog.example.org/",
                 "logo": {"@type": "ImageObject",
                          "url": "https://blog.example.org/images/logo.svg",
                          "width": 240, "height": 48}}
    script = "//script[@type='application/ld+json']/text()"
    (posting,) = html(branded, "2024/03/un-article/index.html").xpath(script)
    assert json.loads(posting)["publisher"] == publisher
    (home,) = html(branded, "index.html").xpath(script)
    (blog,) = [n for n in json.loads(home)["@graph"] if n["@type"] == "Blog"]
    assert blog["publisher"] == publisher


def test_a_site_below_a_path_links_its_logo_there(branded):
    toml = (branded.root / "site.toml").read_text()
    branded.write({"site.toml": toml.replace("https://blog.example.org",
                                             "https://example.org/carnet")})
    assert branded.build().code == 0
    doc = html(branded, "index.html")
    assert doc.xpath("//img[@class='site-logo']/@src") == ["/carnet/images/logo.svg"]
    assert doc.xpath("//link[@rel='icon']/@href") == ["/carnet/images/icon.png"]
    atom = feedparser.parse(branded.read("atom.xml")).feed
    assert atom.icon == "https://example.org/carnet/images/icon.png"


def test_a_logo_named_with_spaces_and_accents_is_linked_encoded(site):
    site.write({"site.toml": SITE_TOML + 'logo = "/images/mon logo à moi.svg"\n',
                "content/images/mon logo à moi.svg": LOGO})
    assert site.build().code == 0
    src = "/images/mon%20logo%20%C3%A0%20moi.svg"
    assert html(site, "index.html").xpath("//img[@class='site-logo']/@src") == [src]
    (home,) = html(site, "index.html").xpath("//script[@type='application/ld+json']/text()")
    (blog,) = [n for n in json.loads(home)["@graph"] if n["@type"] == "Blog"]
    assert blog["publisher"]["logo"]["url"] == "https://blog.example.org" + src
    assert site.exists("images/mon logo à moi.svg")


@pytest.mark.parametrize("setting, message, hint", [
    ('logo = "/images/nope.svg"', "logo '/images/nope.svg': there is no file "
     "content/images/nope.svg", 'did you mean "/images/logo.svg"?'),
    ('logo = "/logo.svg"', "logo '/logo.svg': there is no file content/logo.svg",
     "put the image at content/logo.svg, or correct the path: it starts from content/"),
    ('logo = "images/logo.svg"', "logo 'images/logo.svg' must be a path starting with /",
     'write logo = "/images/logo.svg"'),
    ('logo = "https://cdn.example/logo.svg"', "logo 'https://cdn.example/logo.svg' must be "
     "a file of the site, not an address elsewhere",
     "copy the image under content/images/"),
    ('logo = "/../site.toml"', "logo '/../site.toml' is not the path of a file under "
     "content/", None),
    ('favicon = "/images/logo.gif"', "favicon '/images/logo.gif' is not an image of a type "
     "it takes (.svg, .png, .ico)", None),
    ('accent_color = "bleu"', "accent_color 'bleu' is not a CSS hex colour",
     'accent_color = "#1f3a5f"'),
    ('accent_color = "#12345"', "accent_color '#12345' is not a CSS hex colour", None),
])
def test_bad_identity_setting_names_site_toml_and_line(branded, setting, message, hint):
    branded.write({"site.toml": SITE_TOML + setting + "\n"})
    run = branded.build()
    assert run.code == 1
    assert f"site.toml:5: {message}" in run.stderr
    assert hint is None or hint in run.stderr


def test_light_accent_colour_warns(branded):
    branded.write({"site.toml": SITE_TOML + 'accent_color = "#fc0"\n'})
    run = branded.build("--strict")
    assert run.code == 1
    assert "site.toml:5: accent_color '#fc0' is too light for links" in run.stderr


# Incremental builds ----------------------------------------------------------------------


def full(site: Site, **options) -> BuildResult:
    return build(BuildOptions(site_dir=site.root, jobs=1, **options), Reporter(verbosity=-1))


def assert_same_as_full_build(site: Site, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    full(site, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(site.root / "output", fresh) == []


def edit(site: Site, rel: str, old: str, new: str) -> None:
    path = site.root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def html_outputs(site: Site) -> set[str]:
    out = site.root / "output"
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


@pytest.mark.parametrize("rel, old, new", [
    ("content/pages/equipe.md", 'title: "Équipe"', 'title: "Équipe"\nweight: -5'),
    ("content/pages/a-propos.md", 'title: "À propos"', 'title: "À propos"\nmenu: footer'),
    ("content/pages/zebre.md", "weight: -1", "menu: false"),
    ("site.toml", 'name = "Mastodon"', 'name = "Mastodon"\nwhere = "footer"'),
])
def test_menu_edits_render_every_page_as_a_clean_build(blog, tmp_path, rel, old, new):
    full(blog)
    before = blog.read("index.html")
    edit(blog, rel, old, new)
    result = full(blog)
    assert set(result.rendered) >= html_outputs(blog)  # every page shows the menus
    assert blog.read("index.html") != before
    assert_same_as_full_build(blog, tmp_path)


def test_identity_edits_follow_in_a_warm_build(branded, tmp_path):
    full(branded)
    branded.write({"content/images/logo.svg": LOGO.replace("0 0 240 48", "0 0 300 50")})
    assert "index.html" in full(branded).written  # its size is in every page's header
    assert html(branded, "index.html").xpath("//img[@class='site-logo']/@width") == ["300"]
    assert_same_as_full_build(branded, tmp_path)
    edit(branded, "site.toml", "#1F3A5F", "#5a2d82")
    assert "atom.xml" not in full(branded).written
    assert 'content="#5a2d82"' in branded.read("index.html")
    assert_same_as_full_build(branded, tmp_path)
    edit(branded, "site.toml", 'favicon = "/images/icon.png"\n', "")
    assert "atom.xml" in full(branded).written
    assert_same_as_full_build(branded, tmp_path)


def test_watched_builds_follow_menu_and_logo_edits(blog, tmp_path):
    """The server names the files it saw change: a page's menu and the logo's size follow."""
    blog.write({"site.toml": SITE_TOML + 'logo = "/logo.svg"\n' + MENU,
                "content/logo.svg": LOGO})
    options = BuildOptions(site_dir=blog.root, jobs=1)
    cache = Cache(blog.root / ".reflexgen-cache")
    build(options, Reporter(verbosity=-1), cache)

    def watched(rel: str) -> BuildResult:
        return build(options, Reporter(verbosity=-1), cache, changed={blog.root / rel})

    edit(blog, "content/pages/zebre.md", "weight: -1", "weight: 50")
    assert "index.html" in watched("content/pages/zebre.md").written
    assert links(html(blog, "index.html"), "site-nav")[-1] == ("Zèbre", "/zebre/")
    assert_same_as_full_build(blog, tmp_path)
    blog.write({"content/logo.svg": LOGO.replace("0 0 240 48", "0 0 120 48")})
    assert "index.html" in watched("content/logo.svg").written
    assert html(blog, "index.html").xpath("//img[@class='site-logo']/@width") == ["120"]
    assert_same_as_full_build(blog, tmp_path)
