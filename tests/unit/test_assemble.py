from datetime import UTC, datetime, timedelta
from pathlib import Path

from reflexgen.config import SiteConfig
from reflexgen.content.model import Article, Author
from reflexgen.site.assemble import Selection, assemble

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = SiteConfig(root=Path("/site"), title="T", base_url="https://x.org")


def post(source="a.md", days=0, **kw) -> Article:
    return Article(source=source, title=source, date=NOW - timedelta(days=10 - days),
                   slug=source[:-3], summary_html="", words=0, **kw)


def run(articles, authors=(), **selection):
    return assemble(CONFIG, list(articles), {}, [], list(authors), [], Selection(NOW, **selection))


def test_drafts_and_future_are_left_out_unless_asked():
    articles = [post("old.md"), post("draft.md", draft=True), post("later.md", days=20)]
    site, _ = run(articles)
    assert [a.source for a in site.articles] == ["old.md"]
    site, _ = run(articles, drafts=True, future=True)
    assert {a.source for a in site.articles} == {"old.md", "draft.md", "later.md"}
    assert next(a for a in site.articles if a.source == "later.md").future


def test_authors_match_by_id_or_name_and_unknown_ones_warn():
    author = Author(id="claire", name="Claire Dumas")
    site, warnings = run([post("a.md", author_refs=("claire",)),
                          post("b.md", author_refs=("claire dumas",)),
                          post("c.md", author_refs=("Inconnu",))], authors=[author])
    by_source = {a.source: a.authors for a in site.articles}
    assert by_source["a.md"] == by_source["b.md"] == ("claire",)
    unknown = site.authors[by_source["c.md"][0]]
    assert unknown.name == "Inconnu" and not unknown.profile
    assert len(warnings) == 1 and "claire" in warnings[0].hint


def test_tags_group_by_slug_and_articles_are_newest_first():
    site, _ = run([post("a.md", tags=("Médias sociaux",)),
                   post("b.md", days=1, tags=("médias sociaux", "SEO"))])
    assert [a.source for a in site.articles] == ["b.md", "a.md"]
    tags = {t.slug: t for t in site.tags}
    assert set(tags) == {"medias-sociaux", "seo"}
    assert tags["medias-sociaux"].articles == (0, 1)
    assert tags["medias-sociaux"].url == "/tags/medias-sociaux/"


def test_a_tag_written_several_ways_takes_the_most_used_spelling_with_a_warning():
    site, warnings = run([post("a.md", days=4, tags=("Écologie",)),
                          post("b.md", days=3, tags=("écologie", "SEO", "seo")),
                          post("c.md", days=2, tags=("écologie",)),
                          post("d.md", days=1, tags=("ecologie",))])
    tags = {t.slug: t for t in site.tags}
    assert tags["ecologie"].name == "écologie" and tags["ecologie"].articles == (0, 1, 2, 3)
    assert tags["seo"].articles == (1,)  # one article, both spellings: listed once
    messages = sorted(w.message for w in warnings)
    assert messages == [
        "tag 'ecologie' is written 3 ways: « écologie » (b.md, c.md), « Écologie » (a.md), "
        "« ecologie » (d.md) — the page uses « écologie »; write it one way",
        "tag 'seo' is written 2 ways: « SEO » (b.md), « seo » (b.md) — the page uses « SEO »; "
        "write it one way"]
    located = next(w for w in warnings if "ecologie" in w.message)
    assert located.path == CONFIG.root / "content/a.md"  # the newest file to change
    assert "most of its articles use" in located.hint


def test_a_tie_between_spellings_goes_to_the_newest_article_and_long_lists_are_cut():
    site, warnings = run([post("old.md", category="société"),
                          post("new.md", days=1, category="Société")])
    assert [c.name for c in site.categories] == ["Société"]
    assert warnings[0].message.startswith("category 'societe' is written 2 ways: « Société » "
                                          "(new.md), « société » (old.md)")
    site, warnings = run([post(f"{n}.md", days=n, tags=("x",)) for n in range(5)]
                         + [post("y.md", tags=("X",))])
    assert site.tags[0].name == "x"
    assert "« x » (4.md, 3.md, 2.md and 2 more), « X » (y.md)" in warnings[0].message


def test_one_spelling_gives_no_warning():
    _, warnings = run([post("a.md", tags=("Écologie",)), post("b.md", tags=("Écologie",))])
    assert warnings == []
