from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reflexgen.assemble import Selection, assemble
from reflexgen.config import SiteConfig
from reflexgen.errors import BuildError
from reflexgen.model import Article, Author, Comment

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = SiteConfig(root=Path("/site"), title="T", base_url="https://x.org")


def post(source="a.md", days=0, **kw) -> Article:
    return Article(source=source, title=source, date=NOW - timedelta(days=10 - days),
                   slug=source[:-3], body_html="", summary_html="", words=0, **kw)


def comment(cid, parent=None, status="approved", author="Lecteur", minutes=0, **kw) -> Comment:
    return Comment(id=cid, author=author, date=NOW + timedelta(minutes=minutes), body_html="",
                   parent=parent, status=status, **kw)


def run(articles, authors=(), **selection):
    return assemble(CONFIG, list(articles), [], list(authors), [], Selection(NOW, **selection))


def test_threads_nest_replies_under_parents_in_date_order():
    site, _ = run([post(comments=(comment("2", "1", minutes=2), comment("1"),
                                  comment("3", "2", minutes=3), comment("4", minutes=1)))])
    threads = site.articles[0].threads
    assert [t.comment.id for t in threads] == ["1", "4"]
    assert threads[0].replies[0].comment.id == "2"
    assert threads[0].replies[0].replies[0].comment.id == "3"
    assert site.articles[0].comment_count == 4


def test_only_approved_comments_and_their_replies_are_shown():
    site, _ = run([post(comments=(comment("1"), comment("2", status="pending"),
                                  comment("3", "2"), comment("4", status="spam")))])
    assert [t.comment.id for t in site.articles[0].threads] == ["1"]
    assert site.articles[0].comment_count == 1


@pytest.mark.parametrize("comments, message", [
    ((comment("1", "9"),), "does not exist"),
    ((comment("1"), comment("1")), "two comments"),
    ((comment("1", "2"), comment("2", "1")), "loop"),
])
def test_broken_comment_threads_are_errors(comments, message):
    with pytest.raises(BuildError, match=message):
        run([post(comments=comments)])


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
