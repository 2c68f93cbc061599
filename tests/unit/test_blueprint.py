from datetime import UTC, datetime, timedelta
from pathlib import Path

from reflexgen.config import SiteConfig
from reflexgen.content.model import Article, Author, head_digest
from reflexgen.site.assemble import Selection
from reflexgen.site.blueprint import make_blueprint

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = SiteConfig(root=Path("/site"), title="T", base_url="https://x.org")
CLAIRE = Author(id="claire", name="Claire")


def post(source: str, days: int = 0, digest: str = "d1", **kw) -> Article:
    record = Article(source=source, title=kw.pop("title", source), date=NOW - timedelta(days=days),
                     slug=source[:-3], summary_html="", words=kw.pop("words", 10), digest=digest,
                     author_refs=("claire",), tags=("x",), **kw)
    return Article(**{**vars(record), "head": head_digest(record)})


def lay(articles, last=None, **selection):
    return make_blueprint(CONFIG, articles, {}, [], [CLAIRE], [], Selection(NOW, **selection), last)


def test_a_body_edit_swaps_the_article_into_the_last_blueprint():
    first = lay([post("a.md", 1), post("b.md", 2)])
    edited = lay([post("a.md", 1, digest="d2", words=99), post("b.md", 2)], first)
    assert edited.page_jobs is first.page_jobs and edited.files is first.files
    a = edited.site.articles[0]
    assert (a.digest, a.words) == ("d2", 99)
    assert (a.url, a.authors) == (first.site.articles[0].url, ("claire",))  # still resolved
    assert edited.site.articles[1] is first.site.articles[1]


def test_anything_a_listing_shows_lays_the_site_out_again():
    first = lay([post("a.md", 1), post("b.md", 2)])
    for changed in ([post("a.md", 1, title="Nouveau titre"), post("b.md", 2)],  # a card
                    [post("a.md", 3), post("b.md", 2)],  # a date: the order changes
                    [post("a.md", 1)]):  # an article gone
        again = lay(changed, first)
        assert again.shape != first.shape and again.page_jobs is not first.page_jobs
    assert [a.source for a in lay([post("a.md", 3), post("b.md", 2)], first).site.articles] \
        == ["b.md", "a.md"]


def test_an_article_coming_out_of_the_future_changes_the_shape():
    articles = [post("a.md", -1), post("b.md", 2)]
    hidden = lay(articles)
    assert [a.source for a in hidden.site.articles] == ["b.md"]
    later = make_blueprint(CONFIG, articles, {}, [], [CLAIRE], [],
                           Selection(NOW + timedelta(days=2)),
                    hidden)
    assert [a.source for a in later.site.articles] == ["a.md", "b.md"]


def test_a_new_comment_keeps_the_plan_but_the_first_one_adds_a_feed():
    one = lay([post("a.md", 1, comment_count=1), post("b.md", 2)])
    two = lay([post("a.md", 1, digest="d2", comment_count=2), post("b.md", 2)], one)
    assert two.shape == one.shape and two.feed_jobs is one.feed_jobs
    assert two.site.articles[0].comment_count == 2  # the listings read the new count
    first = lay([post("a.md", 1), post("b.md", 2, digest="d3", comment_count=1)], one)
    assert first.shape != one.shape
    assert {j.key for j in first.feed_jobs if j.scope == "comments"} == {"b.md"}
