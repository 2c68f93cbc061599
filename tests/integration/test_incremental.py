"""Incremental builds: after each kind of edit, exactly the outputs that show it are rendered,
and the result is byte for byte what a full rebuild gives."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import REPO, SITE_TOML, Site, article
from reflexgen.build import BuildOptions, BuildResult, build, compare_trees
from reflexgen.comments.threads import thread_index
from reflexgen.errors import Reporter
from reflexgen.incremental.cache import Cache, dump, load, user_key

FEEDS = ("feed.xml", "atom.xml")  # the site's; a tag's, category's or author's: RSS ([feeds])


def feeds(*folders: str) -> set[str]:
    return {f"{folder}{name}" for folder in folders for name in (FEEDS if not folder else
                                                                  FEEDS[:1])}


A = "2024/03/a/index.html"
B = "2024/02/b/index.html"
C = "2024/01/c/index.html"


@pytest.fixture
def blog(site: Site) -> Site:
    site.write({
        "content/authors/claire.md": '---\nname: "Claire"\n---\nBio de Claire.\n',
        "content/authors/paul.md": '---\nname: "Paul"\n---\nBio de Paul.\n',
        "content/posts/a.md": article("Titre A", "2024-03-01", "Résumé A.\n\nCorps A.",
                                      slug="a", author="claire", tags='["x", "y"]',
                                      category="Essais"),
        "content/posts/b.md": article("Titre B", "2024-02-01", "Résumé B.", slug="b",
                                      author="paul", tags='["y"]', category="Essais"),
        "content/posts/c.md": article("Titre C", "2024-01-01", "Résumé C.", slug="c",
                                      author="claire", tags='["z"]'),
        "content/pages/a-propos.md": '---\ntitle: "À propos"\n---\nNous.\n',
    })
    assert full(site).written
    return site


def full(site: Site, **options) -> BuildResult:
    return build(BuildOptions(site_dir=site.root, jobs=1, **options), Reporter(verbosity=-1))


def edit(site: Site, rel: str, old: str, new: str) -> None:
    path = site.root / rel
    path.write_text(path.read_text().replace(old, new, 1))


def edit_theme(site: Site, name: str, old: str, new: str) -> None:
    """Override one default template in the site, with `old` replaced by `new`."""
    default = (REPO / "themes/default/templates" / name).read_text()
    site.write({f"themes/default/templates/{name}": default.replace(old, new)})


def assert_same_as_full_build(site: Site, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    full(site, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(site.root / "output", fresh) == []


def test_a_new_base_url_path_reaches_every_link(blog, tmp_path):
    """Links are worked out at every render, never folded into the compiled templates that
    the cache keeps (Jinja's constant folding of `'/feed.xml' | url`)."""
    edit(blog, "site.toml", 'base_url = "https://blog.example.org"',
         'base_url = "https://blog.example.org/carnet"')
    full(blog)
    home = blog.read("index.html")
    assert 'href="/carnet/feed.xml"' in home and 'href="/feed.xml"' not in home
    assert re.search(r'href="/carnet/theme/style\.[0-9a-f]{10}\.css"', home)
    assert_same_as_full_build(blog, tmp_path)


def test_nothing_changed(blog):
    result = full(blog)
    assert result.up_to_date and result.rendered == () and result.written == ()


def test_body_only_edit(blog, tmp_path):
    edit(blog, "content/posts/a.md", "Corps A.", "Corps A, plus long.")
    result = full(blog)
    # The feeds of A's tags, category and author carry its summary alone: not rendered.
    assert set(result.rendered) == {A} | feeds("")
    index = {rel for rel in result.written if rel.startswith("pagefind/")}
    assert set(result.written) - index == set(result.rendered)
    assert any(rel.startswith("pagefind/fragment/") for rel in index)  # the new text
    assert_same_as_full_build(blog, tmp_path)


def test_title_edit(blog, tmp_path):
    edit(blog, "content/posts/a.md", "Titre A", "Nouveau titre A")
    result = full(blog)
    listings = {"index.html", "tags/x/index.html", "tags/y/index.html",
                "categories/essais/index.html", "authors/claire/index.html",
                "archives/index.html"}
    assert set(result.rendered) == {A, B} | listings | feeds(  # B lists A as related
        "", "tags/x/", "tags/y/", "categories/essais/", "authors/claire/")
    assert "sitemap.xml" not in result.written  # same URLs
    assert_same_as_full_build(blog, tmp_path)


def test_tag_added(blog, tmp_path):
    edit(blog, "content/posts/a.md", '["x", "y"]', '["x", "y", "z"]')
    result = full(blog)
    rendered = set(result.rendered)
    assert {A, "tags/z/index.html", "tags/index.html", "tags/x/index.html"} <= rendered
    assert feeds("tags/z/") <= rendered
    assert C in rendered  # A and C now share a tag: each is related to the other
    assert B not in rendered and "authors/paul/index.html" not in rendered
    assert_same_as_full_build(blog, tmp_path)


def test_new_tag_reaches_the_tags_index(blog, tmp_path):
    edit(blog, "content/posts/a.md", '["x", "y"]', '["x", "y", "w"]')
    result = full(blog)
    assert {"tags/index.html", "tags/w/index.html"} <= set(result.rendered)
    assert "/tags/w/" in blog.read("tags/index.html")
    assert "categories/index.html" not in result.rendered
    assert_same_as_full_build(blog, tmp_path)


def test_tag_removed_drops_its_pages(blog, tmp_path):
    edit(blog, "content/posts/a.md", '["x", "y"]', '["y"]')
    result = full(blog)
    assert {"tags/x/index.html", "tags/x/feed.xml"} <= set(result.removed)
    assert not (blog.root / "output/tags/x").exists()
    assert B not in result.rendered
    assert_same_as_full_build(blog, tmp_path)


def test_date_edit(blog, tmp_path):
    edit(blog, "content/posts/c.md", "2024-01-01", "2024-04-01")
    result = full(blog)
    new_c = "2024/04/c/index.html"
    assert new_c in result.rendered and C in result.removed
    assert {"index.html", "archives/index.html", "sitemap.xml"} <= set(result.written)
    assert A not in result.rendered and B not in result.rendered
    assert_same_as_full_build(blog, tmp_path)


def test_author_bio_edit(blog, tmp_path):
    edit(blog, "content/authors/claire.md", "Bio de Claire.", "Nouvelle bio.")
    result = full(blog)
    assert set(result.rendered) == {A, C, "authors/claire/index.html"}
    assert_same_as_full_build(blog, tmp_path)


def test_author_gender_edit(blog, tmp_path):
    """Wording that agrees with an author's gender (author box, comment badge, author page)
    follows an edit of it, on exactly the pages that show it."""
    blog.write({"content/posts/a.comments.yaml": "- id: 1\n  author: Claire\n"
                "  author_id: claire\n  date: 2024-03-02\n  body: Merci\n"})
    full(blog)
    for old, new, wording in [('name: "Claire"\n', 'name: "Claire"\ngender: f\n', "Autrice"),
                              ("gender: f", "gender: m", "Auteur")]:
        edit(blog, "content/authors/claire.md", old, new)
        result = full(blog)
        assert set(result.rendered) == {A, C, "authors/claire/index.html"}
        assert f'<span class="badge">{wording}</span>' in blog.read(A)
        assert f"À propos de l’{wording.lower()}" in blog.read(C)
        assert_same_as_full_build(blog, tmp_path)


def test_comment_added(blog, tmp_path):
    blog.write({"content/posts/b.comments.yaml":
                "- id: 1\n  author: Zoé\n  date: 2024-02-02\n  body: Bravo\n"})
    result = full(blog)
    written = set(result.written)
    assert {B, "index.html", "tags/y/index.html", "categories/essais/index.html",
            "authors/paul/index.html"} <= written
    assert A not in result.rendered and C not in result.rendered
    assert not any(w.endswith(".xml") for w in written)  # feeds carry no comments…
    assert "2024/02/b/comments.atom" in written  # …but the article's own comments feed does
    assert "1 réflexion sur" in blog.read(B)
    assert_same_as_full_build(blog, tmp_path)


def test_template_edit(blog, tmp_path):
    edit_theme(blog, "article.html", "</article>", "</article><!--x-->")
    result = full(blog)
    assert set(result.rendered) == {A, B, C}
    assert_same_as_full_build(blog, tmp_path)


def test_shared_template_edit(blog):
    edit_theme(blog, "base.html", "</footer>", "</footer><!--x-->")
    result = full(blog)
    assert {A, B, C, "index.html", "404.html", "a-propos/index.html"} <= set(result.rendered)
    assert not any(r.endswith(".xml") for r in result.rendered)


def test_config_edit_renders_everything(blog):
    edit(blog, "site.toml", 'title = "Le Blog"', 'title = "Un autre blog"')
    result = full(blog)
    pages = [p for p in result.rendered if p.endswith((".html", ".opml", ".xsl"))]
    assert len(pages) == result.pages  # the OPML file and the feeds' stylesheet among them
    assert len(result.rendered) - len(pages) == result.feeds


def test_article_added_and_deleted(blog, tmp_path):
    blog.write({"content/posts/d.md": article("Titre D", "2024-03-15", "D.", slug="d",
                                              author="paul", tags='["y"]')})
    result = full(blog)
    assert "2024/03/d/index.html" in result.written
    assert A in result.rendered and C not in result.rendered  # A: D is related (tag y)
    assert_same_as_full_build(blog, tmp_path)
    blog.remove("content/posts/d.md")
    result = full(blog)
    assert "2024/03/d/index.html" in result.removed
    assert not (blog.root / "output/2024/03/d").exists()
    assert_same_as_full_build(blog, tmp_path)


def test_unchanged_files_keep_their_mtime(blog):
    before = (blog.root / "output" / C).stat().st_mtime_ns
    edit(blog, "content/posts/a.md", "Corps A.", "Corps A modifié.")
    full(blog)
    assert (blog.root / "output" / C).stat().st_mtime_ns == before


def test_deleted_output_file_is_restored(blog):
    (blog.root / "output" / B).unlink()
    edit(blog, "content/posts/a.md", "Corps A.", "Corps A modifié.")
    assert B in full(blog).written


@pytest.mark.parametrize("damage", [lambda data: b"garbage" + data[7:],
                                    lambda data: data[: len(data) // 2]])
@pytest.mark.parametrize("name", ["outputs.pickle", "summary.pickle", "sources/*.pickle"])
def test_corrupted_cache_is_rebuilt(blog, tmp_path, damage, name):
    for part in (blog.root / ".reflexgen-cache").glob(name):
        part.write_bytes(damage(part.read_bytes()))
    edit(blog, "content/posts/b.md", "Titre B", "Titre B2")
    run = blog.build()
    assert run.code == 0 and "cache was corrupted" in run.stderr
    assert_same_as_full_build(blog, tmp_path)


def test_cache_of_another_reflexgen_is_dropped_quietly(blog, tmp_path):
    """After an upgrade (or an edit of reflexgen's own code) the cache is stale, not corrupt."""
    folder, key = blog.root / ".reflexgen-cache", user_key()
    for part in [folder / "outputs.pickle", *folder.glob("sources/*.pickle")]:
        fmt, _, payload = load(part, key)
        dump(part, (fmt, "0.0.1+older", payload), key)
    summary = load(folder / "summary.pickle", key)
    summary.version = "0.0.1+older"
    dump(folder / "summary.pickle", summary, key)
    reporter = Reporter(verbosity=-1)
    result = build(BuildOptions(site_dir=blog.root, jobs=1), reporter)
    assert not result.up_to_date and A in result.rendered and "index.html" in result.rendered
    assert reporter.warnings == []
    assert_same_as_full_build(blog, tmp_path)


def test_foreign_cache_is_not_trusted(blog, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    run = blog.build()
    assert run.code == 0 and "written elsewhere" in run.stderr


def test_an_edit_rewrites_one_shard_of_the_source_index(blog, tmp_path):
    shards = sorted((blog.root / ".reflexgen-cache/sources").glob("*.pickle"))
    assert len(shards) == 3  # a.md, b.md and c.md fall into distinct shards
    before = {p.name: p.stat().st_mtime_ns for p in shards}
    edit(blog, "content/posts/b.md", "Titre B", "Titre B2")
    full(blog)
    after = {p.name: p.stat().st_mtime_ns for p in shards}
    assert sum(before[name] != after[name] for name in before) == 1
    (blog.root / "content/posts/c.md").unlink()
    full(blog)
    edit(blog, "content/posts/a.md", "Corps A.", "Corps A modifié.")
    assert full(blog).written
    assert_same_as_full_build(blog, tmp_path)


def test_lost_body_is_parsed_again(blog, tmp_path):
    with sqlite3.connect(blog.root / ".reflexgen-cache/bodies.sqlite") as db:
        db.execute("DELETE FROM bodies")
    edit(blog, "content/posts/b.md", "Titre B", "Titre B2")
    assert full(blog).written
    assert "Corps A." in blog.read(A)
    assert_same_as_full_build(blog, tmp_path)


def test_output_is_the_same_whatever_the_number_of_jobs(tmp_path):
    sites = []
    for jobs in (1, 2):
        site = Site(tmp_path / f"site{jobs}").write({"site.toml": SITE_TOML})
        site.write({f"content/posts/p{i:03}.md": article(f"Article {i}", f"2023-{i % 12 + 1:02}-01",
                                                          tags=f'["t{i % 7}"]')
                    for i in range(120)})
        build(BuildOptions(site_dir=site.root, jobs=jobs), Reporter(verbosity=-1))
        sites.append(site.root / "output")
    assert compare_trees(sites[0], sites[1]) == []


def test_verify_on_demo_blog_after_edits(tmp_path):
    site = tmp_path / "demo"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.toml", site / "site.toml")
    demo = Site(site)
    assert demo.build().code == 0
    posts = sorted((site / "content/posts").rglob("*.md"))
    posts[0].write_text(posts[0].read_text().replace("\n\n", "\n\nAjout.\n\n", 1))
    (site / "content/authors").joinpath(next(iter(sorted(
        p.name for p in (site / "content/authors").iterdir())))).write_text(
        '---\nname: "Nouvelle autrice"\n---\nBio.\n')
    posts[1].unlink()
    run = demo.build("--verify")
    assert run.code == 0, run.stderr
    assert "identical to a full rebuild" in run.stderr


def test_cache_database_replaced_by_garbage(blog, tmp_path):
    (blog.root / ".reflexgen-cache/bodies.sqlite").write_bytes(b"not a database" * 100)
    edit(blog, "content/posts/b.md", "Titre B", "Titre B2")
    assert full(blog).written
    assert "Corps A." in blog.read(A)
    assert_same_as_full_build(blog, tmp_path)


def test_fragment_template_edit(blog):
    edit_theme(blog, "_card.html", "</article>", "</article><!--x-->")
    result = full(blog)
    assert {"index.html", "tags/y/index.html", "authors/paul/index.html"} <= set(result.rendered)
    assert A not in result.rendered and "tags/index.html" not in result.rendered


def test_listing_template_that_shows_bodies_follows_body_edits(blog, tmp_path):
    blog.write({"themes/default/templates/index.html":
                "{% for a in articles %}{{ a.body_html }}{% endfor %}"})
    full(blog)
    edit(blog, "content/posts/a.md", "Corps A.", "Corps A, réécrit.")
    result = full(blog)
    assert "index.html" in result.written and "réécrit" in blog.read("index.html")
    assert "tags/x/index.html" not in result.rendered  # the default list.html shows no body
    assert_same_as_full_build(blog, tmp_path)


def test_watched_builds_follow_every_kind_of_edit(blog, tmp_path):
    """A long-lived caller (the server) keeps one Cache and names the files it saw change:
    each build must equal a full one, and a body edit re-render what it does unwatched."""
    options = BuildOptions(site_dir=blog.root, jobs=1)
    cache = Cache(blog.root / ".reflexgen-cache")
    build(options, Reporter(verbosity=-1), cache)
    posts = blog.root / "content/posts"

    def watched(*changed: Path):
        return build(options, Reporter(verbosity=-1), cache, changed=set(changed))

    edit(blog, "content/posts/a.md", "Corps A.", "Corps A, plus long.")
    result = watched(posts / "a.md")
    assert set(result.rendered) == {A} | feeds("")  # the others carry A's summary alone
    assert_same_as_full_build(blog, tmp_path)
    edit(blog, "content/posts/a.md", "Résumé A.", "Résumé A, revu.")  # the kept entries: out
    result = watched(posts / "a.md")
    assert feeds("", "tags/x/", "tags/y/", "categories/essais/", "authors/claire/") <= \
        set(result.rendered)
    assert "Résumé A, revu." in blog.read("tags/x/feed.xml")
    assert_same_as_full_build(blog, tmp_path)
    blog.write({"content/posts/b.comments.yaml": "- id: '1'\n  author: Zoé\n"
                "  date: 2024-02-02T10:00:00Z\n  body: Un avis.\n"})
    assert B in watched(posts / "b.comments.yaml").rendered  # a new file: content/ walked
    assert "Un avis." in blog.read(B)
    assert_same_as_full_build(blog, tmp_path)
    edit(blog, "content/posts/c.md", "Titre C", "Titre C2")
    assert "index.html" in watched(posts / "c.md").rendered
    assert_same_as_full_build(blog, tmp_path)
    edit(blog, "content/authors/claire.md", "Bio de Claire.", "Nouvelle bio de Claire.")
    assert "authors/claire/index.html" in watched(
        blog.root / "content/authors/claire.md").rendered
    assert_same_as_full_build(blog, tmp_path)
    blog.write({"content/posts/d.md": article("Titre D", "2024-03-15", "D.", slug="d")})
    assert "2024/03/d/index.html" in watched(posts / "d.md").written
    blog.remove("content/posts/b.md")
    assert B in watched(posts / "b.md").removed
    assert_same_as_full_build(blog, tmp_path)


def test_series_edits_follow_the_episodes(blog, tmp_path):
    for rel in ("content/posts/a.md", "content/posts/c.md"):
        edit(blog, rel, "---\n", '---\nseries: "Saga"\n')
    full(blog)
    edit(blog, "content/posts/c.md", "Titre C", "Titre C2")  # episode 1 of 2
    rendered = set(full(blog).rendered)
    assert {C, A, "series/saga/index.html"} <= rendered  # A links back to C by its title
    edit(blog, "content/posts/a.md", "Corps A.", "Corps A modifié.")
    assert C not in full(blog).rendered  # a body edit does not change C's navigation
    assert_same_as_full_build(blog, tmp_path)


def test_a_lost_part_of_the_read_index_renders_what_it_cannot_vouch_for(blog, tmp_path):
    """Without the record of what pages read, those pages cannot be trusted: they are
    rendered again, and the result is a full build's."""
    for shard in (blog.root / ".reflexgen-cache/reads").glob("*.pickle"):
        shard.unlink()
    edit(blog, "content/posts/a.md", "Titre A", "Titre A2")
    result = full(blog)
    assert {A, B, "index.html", "tags/x/index.html"} <= set(result.rendered)
    assert "Titre A2" in blog.read("index.html")
    assert_same_as_full_build(blog, tmp_path)
    edit(blog, "content/posts/c.md", "Résumé C.", "Résumé C.\n\nPlus.")
    assert "index.html" not in full(blog).rendered  # the index is whole again: precise


def test_a_thread_closing_by_age_renders_its_page_again(blog, tmp_path):
    """Like a future article appearing at its date: the first build after the closing moment
    has work to do, though no file changed, and renders the page that shows it."""
    (blog.root / "site.toml").write_text(SITE_TOML + '[comments]\nendpoint = '
                                         '"https://c.example.org/"\nclose_after_days = 10\n')
    before = datetime(2024, 3, 5, tzinfo=UTC)  # A (2024-03-01) open, B and C closed
    assert full(blog, now=before, cache_dir=tmp_path / "cache").written
    assert 'id="commentaire"' in blog.read(A) and 'id="commentaire"' not in blog.read(B)
    assert full(blog, now=before, cache_dir=tmp_path / "cache").up_to_date
    cache = Cache(tmp_path / "cache")
    after = datetime(2024, 3, 20, tzinfo=UTC)
    result = build(BuildOptions(site_dir=blog.root, jobs=1, now=after,
                                cache_dir=tmp_path / "cache"), Reporter(verbosity=-1), cache)
    assert not result.up_to_date and set(result.rendered) == {A}
    html = blog.read(A)
    assert "Les commentaires sont fermés." in html and 'id="commentaire"' not in html
    assert not thread_index(cache.blueprint.site, after)["posts/a.md"].open  # the intake too
    assert full(blog, now=after, cache_dir=tmp_path / "cache").up_to_date
    fresh = tmp_path / "fresh"
    full(blog, now=after, output_dir=fresh, clean=True, cache_dir=tmp_path / "fresh-cache")
    assert compare_trees(blog.root / "output", fresh) == []


SUBSCRIPTIONS = {"abonnement/index.html", "abonnements.opml"}


def offered(site: Site) -> list[str]:
    """The feed addresses the subscribe page offers, and those of the OPML file."""
    page = re.findall(r'readonly value="https://blog\.example\.org/([^"]+)"',
                      site.read("abonnement/index.html"))
    opml = re.findall(r'xmlUrl="https://blog\.example\.org/([^"]+)"',
                      site.read("abonnements.opml"))
    assert {url for url in page if url.endswith("feed.xml")} == set(opml)
    return page


def test_subscriptions_follow_feeds_that_come_and_go(blog, tmp_path):
    """The subscribe page and the OPML file are rendered again when a tag, a category or an
    author gets a feed or loses it; not for an article that changes none of them."""
    steps = [
        ("content/posts/a.md", '["x", "y"]', '["x", "y", "w"]', "tags/w/feed.xml", True),
        ("content/posts/a.md", '["x", "y", "w"]', '["x", "y"]', "tags/w/feed.xml", False),
        ("content/posts/c.md", 'tags: ["z"]', 'tags: ["z"]\ncategory: Notes',
         "categories/notes/feed.xml", True),
        ("content/posts/c.md", "\ncategory: Notes", "", "categories/notes/feed.xml", False),
        # A setting that adds Atom to every tag's, category's and author's feed.
        ("site.toml", 'timezone = "Europe/Paris"\n', 'timezone = "Europe/Paris"\n[feeds]\n'
         'taxonomy_formats = ["rss", "atom"]\n', "categories/essais/atom.xml", True),
    ]
    for rel, old, new, feed, present in steps:
        edit(blog, rel, old, new)
        result = full(blog)
        assert set(result.rendered) >= SUBSCRIPTIONS, (rel, new)
        assert (feed in offered(blog)) is present and blog.exists(feed) is present
        assert_same_as_full_build(blog, tmp_path)
    blog.write({"content/authors/zoe.md": '---\nname: "Zoé"\n---\nBio de Zoé.\n'})
    assert set(full(blog).rendered) >= SUBSCRIPTIONS
    assert "authors/zoe/feed.xml" in offered(blog)
    blog.remove("content/authors/zoe.md")
    assert set(full(blog).rendered) >= SUBSCRIPTIONS
    assert "authors/zoe/feed.xml" not in offered(blog)
    assert_same_as_full_build(blog, tmp_path)

    blog.write({"content/posts/d.md": article("Titre D", "2024-03-15", "D.", slug="d",
                                              author="paul", tags='["y"]', category="Essais")})
    edit(blog, "content/posts/b.md", "Titre B", "Nouveau titre B")
    result = full(blog)
    assert "2024/03/d/index.html" in result.rendered
    assert not SUBSCRIPTIONS & set(result.rendered)  # the same feeds: nothing to say again
    assert_same_as_full_build(blog, tmp_path)


def test_feed_stylesheet_edit_renders_it_alone(blog, tmp_path):
    edit_theme(blog, "feed.xsl", "</xsl:stylesheet>", "<!--x--></xsl:stylesheet>")
    result = full(blog)
    assert set(result.rendered) == {"feed.xsl"}  # the feeds name it, they do not hold it
    assert_same_as_full_build(blog, tmp_path)
