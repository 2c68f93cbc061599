"""The site's layout (its blueprint: the assembled site and its planned pages and feeds, see
`site.blueprint`) kept in the build cache: a build in a new process reuses it while the layout
is the same, and assembles and plans the site again after any edit that changes it; either
way the output is byte for byte what a full rebuild gives."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import REPO, Site, article
from reflexgen.build import ASSETS, LAYOUT, BuildOptions, BuildResult, build, compare_trees
from reflexgen.errors import Reporter
from reflexgen.incremental import cache as cache_module
from reflexgen.incremental.cache import dump, load, user_key

A = "content/posts/a.md"
B = "content/posts/b.md"


@pytest.fixture
def blog(site: Site) -> Site:
    site.write({
        "content/authors/claire.md": '---\nname: "Claire"\n---\nBio de Claire.\n',
        "content/authors/paul.md": '---\nname: "Paul"\n---\nBio de Paul.\n',
        A: article("Titre A", "2024-03-01", "Résumé A.\n\nCorps A.", slug="a", author="claire",
                   tags='["x", "y"]', category="Essais"),
        B: article("Titre B", "2024-02-01", "Résumé B.\n\nCorps B.", slug="b", author="paul",
                   tags='["y"]'),
        "content/pages/a-propos.md": '---\ntitle: "À propos"\n---\nNous.\n',
    })
    assert anew(site).assembled
    return site


def anew(site: Site, reporter: Reporter | None = None, **options) -> BuildResult:
    """A build as a new process makes it: with nothing in memory but what the cache holds."""
    return build(BuildOptions(site_dir=site.root, jobs=1, **options),
                 reporter or Reporter(verbosity=-1))


def edit(site: Site, rel: str, old: str, new: str) -> None:
    path = site.root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def assert_same_as_full_build(site: Site, tmp_path: Path, **options) -> None:
    fresh = tmp_path / "fresh"
    anew(site, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache", **options)
    assert compare_trees(site.root / "output", fresh) == []


def test_a_body_edit_reuses_the_layout(blog, tmp_path):
    edit(blog, A, "Corps A.", "Corps A, modifié.")
    result = anew(blog)
    assert not result.assembled and "2024/03/a/index.html" in result.written
    assert "Corps A, modifié." in blog.read("2024/03/a/index.html")
    assert_same_as_full_build(blog, tmp_path)


def test_the_layout_is_reused_by_a_new_process(blog):
    """Seen from the command line, in a process of its own."""
    edit(blog, A, "Corps A.", "Corps A, encore.")
    done = subprocess.run([sys.executable, "-m", "reflexgen", "build", "-v", "--site",
                           str(blog.root)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "site layout reused" in done.stderr
    assert "Corps A, encore." in blog.read("2024/03/a/index.html")


def test_edits_in_a_row_each_in_a_new_process(blog, tmp_path):
    """Whatever the order of edits that keep or change the layout, the output follows."""
    steps = [(A, "Corps A.", "Corps A, un.", False),
             (A, "Titre A", "Titre A, nouveau", True),
             (A, "Corps A, un.", "Corps A, deux.", False),
             (B, 'tags: ["y"]', 'tags: ["y", "w"]', True),
             (B, "Corps B.", "Corps B, un.", False)]
    for rel, old, new, changes_layout in steps:
        edit(blog, rel, old, new)
        assert anew(blog).assembled is changes_layout
        assert_same_as_full_build(blog, tmp_path / rel.replace("/", "-") / new)


@pytest.mark.parametrize(("rel", "old", "new"), [
    (A, "Titre A", "Titre A, nouveau"),  # a title
    (B, 'tags: ["y"]', 'tags: ["y", "nouveau"]'),  # a new tag
    (B, "date: 2024-02-01", "date: 2024-04-01"),  # a date: another place in every listing
    (B, "author: paul", "author: claire"),  # another author
    (B, "slug: b", "slug: bis"),  # another address
    ("content/authors/paul.md", "Bio de Paul.", "Bio de Paul, nouvelle."),  # an author file
    ("content/pages/a-propos.md", "À propos", "Qui sommes-nous"),  # a page's title
    ("site.toml", 'title = "Le Blog"', 'title = "Le Carnet"'),  # a setting
])
def test_an_edit_of_the_layout_assembles_the_site_again(blog, tmp_path, rel, old, new):
    edit(blog, rel, old, new)
    assert anew(blog).assembled
    assert_same_as_full_build(blog, tmp_path)
    edit(blog, A, "Corps A.", "Corps A, après.")
    assert not anew(blog).assembled  # the new layout is the one kept
    assert_same_as_full_build(blog, tmp_path / "after")


def test_an_article_added_then_deleted(blog, tmp_path):
    blog.write({"content/posts/c.md": article("Titre C", "2024-01-01", "Corps C.", slug="c",
                                              tags='["z"]')})
    assert anew(blog).assembled
    assert blog.exists("tags/z/index.html")
    assert_same_as_full_build(blog, tmp_path / "added")
    blog.remove("content/posts/c.md")
    assert anew(blog).assembled
    assert not blog.exists("tags/z/index.html")
    assert_same_as_full_build(blog, tmp_path / "deleted")


def test_a_future_article_shows_when_its_date_comes(blog, tmp_path):
    blog.write({"content/posts/c.md": article("Titre C", "2030-01-01T09:00:00+00:00",
                                              "Corps C.", slug="c")})
    before, after = datetime(2029, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
    assert anew(blog, now=before).assembled
    assert not blog.exists("2030/01/c/index.html")
    assert anew(blog, now=after).assembled
    assert blog.exists("2030/01/c/index.html")
    assert_same_as_full_build(blog, tmp_path, now=after)


def test_a_theme_edit_keeps_the_layout_and_reaches_the_pages(blog, tmp_path):
    """The layout does not depend on the theme: templates and files edited are rendered and
    published again all the same."""
    default = REPO / "themes/default"
    template = (default / "templates/article.html").read_text()
    stylesheet = (default / "static/style.css").read_bytes()
    blog.write({"themes/default/templates/article.html":
                template.replace("</article>", "<p>Nouveau pied.</p></article>", 1)})
    (blog.root / "themes/default/static").mkdir(parents=True)
    (blog.root / "themes/default/static/style.css").write_bytes(stylesheet + b"\n/* v2 */\n")
    result = anew(blog)
    assert not result.assembled
    assert "Nouveau pied." in blog.read("2024/03/a/index.html")
    assert_same_as_full_build(blog, tmp_path)


def test_another_reflexgen_assembles_the_site_again(blog, tmp_path, monkeypatch):
    """An upgrade (or an edit of reflexgen's own code) changes the code id: nothing it kept
    is reused."""
    monkeypatch.setattr(cache_module, "code_id", lambda: "0.0.1+another")
    reporter = Reporter(verbosity=-1)
    assert anew(blog, reporter).assembled
    assert reporter.warnings == []
    assert_same_as_full_build(blog, tmp_path)


@pytest.mark.parametrize("damage", [lambda data: b"garbage" + data[7:],
                                    lambda data: data[: len(data) // 2],
                                    lambda data: b""])
@pytest.mark.parametrize("name", [LAYOUT, ASSETS])
def test_a_damaged_layout_is_made_again(blog, tmp_path, damage, name):
    part = blog.root / ".reflexgen-cache" / name
    part.write_bytes(damage(part.read_bytes()))
    edit(blog, A, "Corps A.", "Corps A, modifié.")
    reporter = Reporter(verbosity=-1)
    result = anew(blog, reporter)
    assert result.assembled is (name == LAYOUT)
    assert any("cache was corrupted" in str(w) for w in reporter.warnings)
    assert_same_as_full_build(blog, tmp_path)
    edit(blog, A, "Corps A, modifié.", "Corps A, encore.")
    assert not anew(blog).assembled  # kept anew


def test_a_layout_file_holding_something_else_is_ignored(blog, tmp_path):
    """Signed by us, of this reflexgen, under the right shape, yet not a layout: ignored."""
    part, key = blog.root / ".reflexgen-cache" / LAYOUT, user_key()
    fmt, made_by, (shape, _) = load(part, key)
    dump(part, (fmt, made_by, (shape, ("not", "a", "layout"))), key)
    edit(blog, A, "Corps A.", "Corps A, modifié.")
    assert anew(blog).assembled
    assert_same_as_full_build(blog, tmp_path)


def test_verify_after_edits_that_keep_and_change_the_layout(blog):
    edit(blog, A, "Corps A.", "Corps A, modifié.")
    assert blog.build("--verify").code == 0
    edit(blog, B, "Titre B", "Titre B, nouveau")
    run = blog.build("--verify")
    assert run.code == 0 and "identical to a full rebuild" in run.stderr


def test_a_layout_that_cannot_be_kept_is_made_again(blog, tmp_path, monkeypatch):
    """Keeping the layout saves time, never fails a build: a value that cannot be pickled is
    not kept, and the next build assembles the site again."""
    from reflexgen.site import blueprint

    monkeypatch.setattr(blueprint, "stored", lambda made: (lambda: None, made.shape))
    edit(blog, A, "Titre A", "Titre A, nouveau")
    assert anew(blog).assembled
    edit(blog, A, "Corps A.", "Corps A, modifié.")
    assert anew(blog).assembled
    assert not list((blog.root / ".reflexgen-cache").glob(".layout.pickle.*"))
    assert_same_as_full_build(blog, tmp_path)
