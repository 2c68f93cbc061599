"""Incremental builds with a theme that shows what the default theme never does.

What a page depends on is recorded from what its templates read, so an override that reads
an author's avatar on a card, an article's `extra` in a listing, a body excerpt, the comment
counts on an author page or a site `extra` in the footer is followed like any field of the
default theme: after every kind of edit the incremental build equals a clean one byte for
byte, and only the files whose bytes changed are written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, SITE_TOML, Site, article
from reflexgen.build import BuildOptions, BuildResult, build, compare_trees
from reflexgen.errors import Reporter
from reflexgen.incremental.cache import Cache

DEFAULT = REPO / "themes/default/templates"
# Template → (a line of the default template, what the override adds after it).
OVERRIDES = {
    "_card.html": ('<div class="card__summary">{{ a.summary_html }}</div>',
                   '<p class="x-card">{{ a.authors[0].avatar }}|{{ a.authors[0].website }}|'
                   "{{ a.authors[0].bio_html | striptags }}|{{ a.extra.get('mood') }}|"
                   "{{ a.words }}|{{ a.body_html | striptags | truncate(30) }}</p>"),
    "article.html": ('>{{ article.title }}</h1>',
                     "<p class=\"x-article\">{{ article.extra.get('mood') }}|"
                     "{{ article.authors[0].website }}</p>"),
    "author.html": ("<h1>{{ author.name }}</h1>",
                    '{% for a in articles %}<span class="x-count">{{ a.title }}: '
                    "{{ a.comments | length }}</span>{% endfor %}"),
    "list.html": ("<h1>{{ taxon.name }}</h1>",
                  "<p class=\"x-tag\">{{ taxon.articles | map(attribute='title') | join(', ') }}"
                  "</p>"),
    "base.html": ('<p class="site-footer__title">{{ site.title }}</p>',
                  "<p class=\"x-motto\">{{ site.extra.get('motto') }}</p>"
                  # A theme file that comes later: the pages then link its published name.
                  "<a class=\"x-late\" href=\"{{ '/theme/late.txt' | url }}\">notes</a>"),
}
COMMENTS = "- id: '1'\n  author: Zoé\n  date: 2024-03-02T10:00:00Z\n  body: Un avis.\n"
STATIC = REPO / "themes/default/static"
# The theme's stylesheet, overridden with a font of the theme loaded by a relative url().
FONT_FACE = ('@font-face { font-family: "X Serif"; '
             'src: url("fonts/x-serif.woff2") format("woff2"); }\n/* x-marker */\n')


def theme() -> dict[str, str]:
    files = {}
    for name, (anchor, added) in OVERRIDES.items():
        default = (DEFAULT / name).read_text()
        assert anchor in default, f"the default {name} changed: update this test's anchor"
        files[f"themes/default/templates/{name}"] = default.replace(anchor, anchor + added)
    files["themes/default/static/style.css"] = FONT_FACE + (STATIC / "style.css").read_text()
    files["themes/default/static/share.js"] = (STATIC / "share.js").read_text()
    files["themes/default/static/fonts/x-serif.woff2"] = "wOF2 first font"
    return files


@pytest.fixture
def blog(site: Site) -> Site:
    site.write({
        "site.toml": SITE_TOML + '\n[extra]\nmotto = "Penser librement"\n',
        "content/authors/claire.md": '---\nname: "Claire"\navatar: "/img/claire.png"\n'
                                     'website: "https://claire.example"\n---\nBio de Claire.\n',
        "content/authors/paul.md": '---\nname: "Paul"\n---\nBio de Paul.\n',
        "content/posts/a.md": article("Titre A", "2024-03-01", "Corps A, assez long.",
                                      slug="a", author="claire", tags='["x", "y"]',
                                      mood='"calme"'),
        "content/posts/b.md": article("Titre B", "2024-02-01", "Corps B.", slug="b",
                                      author="paul", tags='["y"]', category="Essais"),
        "content/posts/c.md": article("Titre C", "2024-01-01", "Corps C.", slug="c",
                                      author="claire", tags='["z"]'),
        "content/pages/apropos.md": '---\ntitle: "À propos"\n---\nNous.\n',
        **theme(),
    })
    build_site(site)
    return site


def build_site(site: Site, cache: Cache | None = None, changed=None) -> BuildResult:
    return build(BuildOptions(site_dir=site.root, jobs=1), Reporter(verbosity=-1), cache,
                 changed=changed)


def replace(site: Site, rel: str, old: str, new: str) -> None:
    path = site.root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


# Each kind of edit, by name: a function that makes it in the site.
EDITS = {
    "author avatar": lambda s: replace(s, "content/authors/claire.md", "claire.png", "c2.png"),
    "author website": lambda s: replace(s, "content/authors/claire.md", "claire.example",
                                        "claire.example.org"),
    "author bio": lambda s: replace(s, "content/authors/claire.md", "Bio de Claire.",
                                    "Nouvelle bio."),
    "author name": lambda s: replace(s, "content/authors/paul.md", '"Paul"', '"Paul M."'),
    "article extra": lambda s: replace(s, "content/posts/a.md", "calme", "en colère"),
    "site extra": lambda s: replace(s, "site.toml", "Penser librement", "Douter"),
    "body": lambda s: replace(s, "content/posts/a.md", "Corps A,", "Corps A réécrit,"),
    "comment added": lambda s: s.write({"content/posts/a.comments.yaml": COMMENTS}),
    "tag": lambda s: replace(s, "content/posts/c.md", '["z"]', '["z", "x"]'),
    "title": lambda s: replace(s, "content/posts/b.md", "Titre B", "Titre B bis"),
    "date": lambda s: replace(s, "content/posts/c.md", "2024-01-01", "2024-03-05"),
    "settings": lambda s: replace(s, "site.toml", 'title = "Le Blog"', 'title = "Mon Blog"'),
    "stylesheet": lambda s: replace(s, "themes/default/static/style.css", "x-marker",
                                    "x-marker edited"),
    "font": lambda s: s.write({"themes/default/static/fonts/x-serif.woff2": "wOF2 new font"}),
    "script": lambda s: replace(s, "themes/default/static/share.js", "(", "( "),
    "theme file added": lambda s: s.write({"themes/default/static/late.txt": "Arrivé."}),
}


@pytest.mark.parametrize("watched", [False, True], ids=["build", "serve"])
@pytest.mark.parametrize("kind", list(EDITS))
def test_every_edit_equals_a_clean_build_and_writes_only_what_changed(blog, tmp_path, kind,
                                                                       watched):
    cache = Cache(blog.root / ".reflexgen-cache") if watched else None
    if watched:  # a server's warm cache, told which files changed
        build_site(blog, cache)
    before = snapshot(blog.root / "output")
    EDITS[kind](blog)
    changed = {p for p in blog.root.rglob("*") if p.is_file()} if watched else None
    result = build_site(blog, cache, changed)
    after = snapshot(blog.root / "output")
    differ = {rel for rel in after if before.get(rel) != after[rel]}
    assert differ, f"the {kind} edit changed nothing: the test would prove nothing"
    assert set(result.written) == differ
    assert set(result.removed) == before.keys() - after.keys()
    fresh = tmp_path / "fresh"
    build(BuildOptions(site_dir=blog.root, output_dir=fresh, clean=True, jobs=1,
                       cache_dir=tmp_path / "fresh-cache"), Reporter(verbosity=-1))
    assert compare_trees(blog.root / "output", fresh) == []


def test_the_theme_shows_what_the_edits_change(blog):
    """The overrides really show the fields edited above, so the test above can fail."""
    home = blog.read("index.html")
    assert "/img/claire.png|https://claire.example|Bio de Claire.|calme|" in home
    assert "Corps A, assez long." in home
    assert "calme|https://claire.example" in blog.read("2024/03/a/index.html")
    assert "Titre A: 0" in blog.read("authors/claire/index.html")
    assert "Titre A, Titre B" in blog.read("tags/y/index.html")
    assert "Penser librement" in blog.read("404.html")


def test_a_body_edit_renders_only_the_pages_that_read_the_body(blog):
    """Precision: the card reads the body here, so listings follow; the tag index does not."""
    EDITS["body"](blog)
    rendered = set(build_site(blog).rendered)
    assert {"2024/03/a/index.html", "index.html", "tags/x/index.html"} <= rendered
    assert "tags/index.html" not in rendered and "2024/02/b/index.html" not in rendered


def linked_stylesheet(site: Site, page: str) -> str:
    found = re.findall(r'<link rel="stylesheet" href="/(theme/style\.[0-9a-f]{10}\.css)">',
                       site.read(page))
    assert len(found) == 1
    return found[0]


def test_a_new_font_renames_the_stylesheet_that_loads_it_and_the_pages_follow(blog):
    style = linked_stylesheet(blog, "index.html")
    font = re.search(r'url\("fonts/(x-serif\.[0-9a-f]{10}\.woff2)"\)', blog.read(style))
    assert font and blog.read(f"theme/fonts/{font[1]}") == "wOF2 first font"
    assert blog.read(style).endswith((STATIC / "style.css").read_text())  # all else kept
    EDITS["font"](blog)
    result = build_site(blog)
    new_style = linked_stylesheet(blog, "index.html")
    assert new_style != style and not blog.exists(style) and style in result.removed
    assert f"theme/fonts/{font[1]}" in result.removed
    new_font = re.search(r'url\("fonts/(x-serif\.[0-9a-f]{10}\.woff2)"\)', blog.read(new_style))
    assert new_font and blog.read(f"theme/fonts/{new_font[1]}") == "wOF2 new font"
    pages = {rel.relative_to(blog.root / "output").as_posix()
             for rel in (blog.root / "output").rglob("*.html")}
    # Every page links the stylesheet, and the feeds' stylesheet too; the feeds do not.
    assert set(result.rendered) == pages | {"feed.xsl"}


def test_a_script_edit_renders_only_the_pages_that_load_it(blog):
    EDITS["script"](blog)
    result = build_site(blog)
    articles = {"2024/03/a/index.html", "2024/02/b/index.html", "2024/01/c/index.html"}
    assert set(result.rendered) == articles  # share.js: under the articles alone
    assert re.search(r'src="/theme/share\.[0-9a-f]{10}\.js"', blog.read("2024/03/a/index.html"))


def test_a_theme_file_that_comes_is_linked_by_its_name_at_once(blog):
    assert 'href="/theme/late.txt"' in blog.read("index.html")  # no such file yet
    EDITS["theme file added"](blog)
    build_site(blog)
    late = re.search(r'href="/(theme/late\.[0-9a-f]{10}\.txt)"', blog.read("index.html"))
    assert late and blog.read(late[1]) == "Arrivé."
