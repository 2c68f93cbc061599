"""The search index: Pagefind run by every build over the articles and pages (never the
listings), kept with the output, made again only when a page it reads changed, the same
bytes for the same pages. What a reader sees is tested in Chromium (tests/e2e/test_search.py)."""

from __future__ import annotations

import gzip
import json
import sys

import lxml.html
import pytest

from conftest import SITE_TOML, article, logical
from reflexgen.build import BuildOptions, build
from reflexgen.errors import BuildError, Reporter
from reflexgen.incremental import search


def indexed(site) -> dict[str, dict]:
    """The pages in the output's index: URL → what Pagefind keeps of it (text, meta,
    filters), read from its fragment files."""
    found = {}
    for path in (site.root / "output/pagefind/fragment").iterdir():
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        fragment = json.loads(raw[len(b"pagefind_dcd"):])
        found[fragment["url"]] = fragment
    return found


def index_files(site) -> dict[str, bytes]:
    root = site.root / "output/pagefind"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture
def blog(site):
    site.write({
        "content/authors/claire.md": "---\nname: Claire Dubois\n---\nElle écrit.\n",
        "content/posts/a.md": article("L’écologie politique", "2024-03-02",
                                      "Les politiques écologiques changent.", slug="a",
                                      author="claire", tags='["climat", "énergie"]',
                                      category="Société"),
        "content/posts/b.md": article("Les cookies tiers", "2024-03-01",
                                      "Le pistage publicitaire continue.", slug="b"),
        "content/pages/contact.md": "---\ntitle: Contact\n---\nÉcrivez-nous.\n",
    })
    return site


def test_articles_and_pages_are_indexed_with_their_fields_and_listings_are_not(blog):
    assert blog.build().code == 0
    pages = indexed(blog)
    assert set(pages) == {"/2024/03/a/", "/2024/03/b/", "/contact/"}  # no home, tag, archive
    a = pages["/2024/03/a/"]
    assert a["meta"]["title"] == "L’écologie politique"
    assert a["meta"]["author"] == "Claire Dubois"
    assert a["meta"]["date"] == "2 mars 2024"
    assert a["filters"] == {"author": ["Claire Dubois"], "tag": ["climat", "énergie"],
                            "category": ["Société"]}
    assert "politiques écologiques" in a["content"]
    # The menu, the byline, the reading time and the hidden fields are not the text.
    for noise in ("min de lecture", "Accueil", "Claire Dubois", "Société"):
        assert noise not in a["content"], noise
    entry = json.loads(blog.read("pagefind/pagefind-entry.json"))
    assert entry["languages"]["fr"]["page_count"] == 3  # the site's language: French stemming
    # Only what the theme's search uses is published: not Pagefind's own interfaces.
    assert not [f for f in index_files(blog) if "-ui." in f or "highlight" in f]


def test_the_search_page_and_box_are_in_the_sites_language(blog):
    assert blog.build().code == 0
    page = lxml.html.fromstring(blog.read("recherche/index.html"))
    assert page.xpath("string(//h1)") == "Rechercher dans le site"
    home = lxml.html.fromstring(blog.read("index.html"))
    link = home.xpath("//a[@class='site-search__link']")[0]
    assert link.get("href") == "/recherche/" and link.text == "Rechercher"
    assert home.xpath("//form[@role='search']/@action") == ["/recherche/"]
    assert [logical(src) for src in home.xpath("//script/@src")] == ["/theme/search.js"]
    assert "/recherche/" not in blog.read("sitemap.xml")  # nothing to index there
    blog.write({"site.toml": SITE_TOML.replace('language = "fr"', 'language = "en"')})
    assert blog.build().code == 0
    assert lxml.html.fromstring(blog.read("search/index.html")).xpath("string(//h1)") \
        == "Search the site"
    assert not blog.exists("recherche/index.html")


def test_search_false_builds_no_index_no_page_and_no_box(blog):
    blog.write({"site.toml": SITE_TOML + "search = false\n"})
    assert blog.build().code == 0
    assert not blog.exists("pagefind") and not blog.exists("recherche/index.html")
    home = blog.read("index.html")
    assert "site-search" not in home and "search.js" not in home
    assert "data-pagefind" not in blog.read("2024/03/a/index.html")


def test_a_wrong_setting_is_named_with_its_line(site):
    site.write({"site.toml": SITE_TOML + 'search = "oui"\n'})
    run = site.build()
    assert run.code == 1
    assert "site.toml:5" in run.stderr and "search must be true or false" in run.stderr


def test_an_edit_updates_the_index_and_only_the_changed_fragment_is_written(blog):
    assert blog.build().code == 0
    before = index_files(blog)
    fragments = {f: (blog.root / "output/pagefind" / f).stat().st_mtime_ns for f in before
                 if f.startswith("fragment/")}
    blog.write({"content/posts/b.md": article("Les cookies tiers", "2024-03-01",
                                              "Le pistage revient par la porte de derrière.",
                                              slug="b")})
    assert blog.build().code == 0
    assert "porte de derrière" in indexed(blog)["/2024/03/b/"]["content"]
    after = index_files(blog)
    assert len(after) == len(before)
    kept = {f for f in fragments if f in after}
    assert len(kept) == len(fragments) - 1  # a's and the contact page's are the same files
    for name in kept:  # not even written again
        assert (blog.root / "output/pagefind" / name).stat().st_mtime_ns == fragments[name]


def test_an_unchanged_site_is_not_indexed_again(blog, monkeypatch):
    assert blog.build().code == 0
    before = index_files(blog)
    calls = []
    monkeypatch.setattr(search, "make_index", lambda *a: calls.append(a) or {})
    # A listing changes (a setting that shows in no article), the indexed pages do not.
    blog.write({"site.toml": SITE_TOML + "paginate = 1\n"})
    assert blog.build().code == 0
    assert calls == [] and index_files(blog) == before


def test_a_removed_article_leaves_the_index(blog):
    assert blog.build().code == 0
    blog.remove("content/posts/b.md")
    assert blog.build().code == 0
    assert set(indexed(blog)) == {"/2024/03/a/", "/contact/"}
    assert json.loads(blog.read("pagefind/pagefind-entry.json"))["languages"]["fr"][
        "page_count"] == 2


def test_an_index_deleted_by_hand_comes_back_with_the_next_build_that_has_work(blog):
    assert blog.build().code == 0
    before = index_files(blog)
    for path in sorted((blog.root / "output/pagefind").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    blog.write({"content/posts/c.md": article("C", "2023-01-01", slug="c")})
    assert blog.build().code == 0
    assert "/2023/01/c/" in indexed(blog) and len(index_files(blog)) == len(before) + 1


def test_the_same_pages_give_the_same_index_bytes(blog):
    """Pagefind lists filters in hash-map order; reflexgen sorts them (and renames the files
    after their content), so a clean build gives the same bytes: nothing to deploy again."""
    assert blog.build().code == 0
    first = index_files(blog)
    for _ in range(3):
        assert blog.build("--clean").code == 0
        assert index_files(blog) == first


def test_comments_are_searchable_only_with_search_comments(blog):
    blog.write({"content/posts/a.comments.yaml": COMMENT})
    assert blog.build().code == 0
    assert "éoliennes" not in indexed(blog)["/2024/03/a/"]["content"]
    blog.write({"site.toml": SITE_TOML + "search_comments = true\n"})
    assert blog.build().code == 0
    assert "éoliennes" in indexed(blog)["/2024/03/a/"]["content"]


COMMENT = ("- id: c1\n  author: Marc\n  date: 2024-03-03T10:00:00+01:00\n"
           "  body: Un avis sur les éoliennes.\n")


def spied(monkeypatch) -> list:
    """The runs of Pagefind from now on (each still made)."""
    runs, real = [], search.make_index
    monkeypatch.setattr(search, "make_index", lambda *args: runs.append(args) or real(*args))
    return runs


def test_a_comment_pagefind_does_not_read_keeps_the_index_as_it_is(blog, monkeypatch):
    """Approving a comment renders its article again, but the index is not made again
    (at 10,000 articles Pagefind takes a minute) when comments are not searched."""
    assert blog.build().code == 0
    before = index_files(blog)
    runs = spied(monkeypatch)
    blog.write({"content/posts/a.comments.yaml": COMMENT})
    assert blog.build().code == 0
    assert "éoliennes" in blog.read("2024/03/a/index.html")
    assert runs == [] and index_files(blog) == before
    assert blog.build("--verify").code == 0  # what a full build would make, index included
    runs.clear()  # the verifying build's own
    blog.write({"content/posts/a.comments.yaml": COMMENT.replace("éoliennes", "haies")})
    assert blog.build().code == 0  # the key recorded last time: still no run
    assert runs == [] and index_files(blog) == before


def test_a_comment_pagefind_reads_makes_the_index_again(blog, monkeypatch):
    blog.write({"site.toml": SITE_TOML + "search_comments = true\n"})
    assert blog.build().code == 0
    runs = spied(monkeypatch)
    blog.write({"content/posts/a.comments.yaml": COMMENT})
    assert blog.build().code == 0
    assert len(runs) == 1 and "éoliennes" in indexed(blog)["/2024/03/a/"]["content"]


def test_what_pagefind_reads_of_a_page(blog):
    """Its body and whatever is marked for it; not the rest of the page."""
    assert blog.build().code == 0
    page = (blog.root / "output/2024/03/a/index.html").read_bytes()
    read = search.read_by_pagefind(page)
    assert read != search.read_by_pagefind(page.replace(b"changent", b"changeront"))
    assert read != search.read_by_pagefind(page.replace(b'lang="fr"', b'lang="en"'))
    assert read != search.read_by_pagefind(page.replace(b"<title>", b"<title>Nouveau "))
    assert read != search.read_by_pagefind(page.replace(  # an image anywhere: Pagefind's
        b"</body>", b'<img src="/avatar.png" alt=""></body>'))  # first is the page's image
    assert read == search.read_by_pagefind(page.replace(b"</body>",
                                                        b"<p>Pied de page</p></body>"))
    unmarked = page.replace(b"data-pagefind-body", b"data-x")
    assert search.read_by_pagefind(unmarked) == [unmarked]  # then all of it


def test_a_page_changed_by_hand_makes_the_index_again(blog, monkeypatch):
    """The index is kept only if it was made from the pages the output folder holds."""
    assert blog.build().code == 0
    page = blog.root / "output/2024/03/a/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("changent", "stagnent"),
                    encoding="utf-8")
    runs = spied(monkeypatch)
    blog.write({"content/posts/a.comments.yaml": COMMENT})
    assert blog.build().code == 0
    assert len(runs) == 1


def test_a_failing_pagefind_is_a_clear_error(tmp_path, monkeypatch):
    page = tmp_path / "a.html"
    page.write_text("<html lang='fr'><body><p>Texte</p></body></html>")
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(BuildError) as caught:
        search.make_index(["a/index.html"], {"a/index.html": page}, tmp_path / "scratch")
    problem = caught.value.problems[0]
    assert "the search index could not be made" in problem.message
    assert "search = false" in problem.hint
    assert list(tmp_path.iterdir()) == [page]  # its scratch folder is gone


def test_other_index_layouts_are_left_as_they_are():
    files = {"pagefind-entry.json": b'{"version": "9", "languages": {"fr": {"hash": "x"}}}',
             "pagefind.js": b"//"}
    assert search.in_order(files) == files


def test_a_preview_killed_before_its_index_leaves_an_index_the_next_build_makes_again(
        blog, monkeypatch):
    """A preview commits the pages, then the index: killed between the two, the next build
    finds the index older than the pages it reads (its key says so) and makes it again."""
    assert blog.build().code == 0
    blog.write({"content/posts/b.md": article("Les cookies tiers", "2024-03-01",
                                              "Un texte tout neuf.", slug="b")})
    real = search.make_index

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(search, "make_index", killed)
    with pytest.raises(KeyboardInterrupt):
        build(BuildOptions(site_dir=blog.root), Reporter(verbosity=-1),
              on_commit=lambda *told: None)
    assert "tout neuf" in blog.read("2024/03/b/index.html")  # the pages are in place
    assert "tout neuf" not in indexed(blog)["/2024/03/b/"]["content"]
    monkeypatch.setattr(search, "make_index", real)
    assert blog.build().code == 0
    assert "tout neuf" in indexed(blog)["/2024/03/b/"]["content"]


def test_a_build_killed_while_indexing_leaves_the_old_site(blog, monkeypatch):
    """Without a preview, the index is staged and committed with the pages."""
    assert blog.build().code == 0
    blog.write({"content/posts/b.md": article("Les cookies tiers", "2024-03-01",
                                              "Un texte tout neuf.", slug="b")})
    monkeypatch.setattr(search, "make_index", lambda *args: (_ for _ in ()).throw(
        KeyboardInterrupt))
    assert blog.build().code != 0  # the CLI's exit on Ctrl-C
    assert "tout neuf" not in blog.read("2024/03/b/index.html")


def test_a_preview_is_told_of_the_pages_before_the_index_is_made(blog, monkeypatch):
    events = []
    real = search.make_index
    monkeypatch.setattr(search, "make_index",
                        lambda *args: events.append("index") or real(*args))
    result = build(BuildOptions(site_dir=blog.root), Reporter(verbosity=-1),
                   on_commit=lambda *told: events.append("pages"))
    assert events == ["pages", "index"]
    assert "pagefind/pagefind-entry.json" in result.written
