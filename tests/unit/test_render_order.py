"""Pages and feeds go to the workers with each discussion's feed right after its article's
page (both read the article's body): the same tasks, in another order."""

from __future__ import annotations

from reflexgen.incremental.outputs import article_order
from reflexgen.site.plan import FeedJob, Job, JobKind

PAGES = [
    Job(JobKind.HOME, "/", "index.html", "home"),
    Job(JobKind.ARTICLE, "/a/", "article.html", "a.md", key=0),
    Job(JobKind.ARTICLE, "/b/", "article.html", "b.md", key=1),
]
FEEDS = [
    FeedJob("site", None, "rss", "/feed.xml", "/", (0, 1), "Site"),
    FeedJob("comments", "a.md", "atom", "/a/comments.atom", "/a/", (0,), "On a"),
    FeedJob("comments", "b.md", "atom", "/b/comments.atom", "/b/", (1,), "On b"),
]


def test_a_discussion_feed_follows_its_article_page():
    tasks = [("page", 0, "k"), ("page", 1, "k"), ("page", 2, "k"),
             ("feed", 0, "k"), ("feed", 1, "k"), ("feed", 2, "k")]
    assert article_order(tasks, PAGES, FEEDS) == [
        ("page", 0, "k"), ("page", 1, "k"), ("feed", 1, "k"), ("page", 2, "k"),
        ("feed", 2, "k"), ("feed", 0, "k")]


def test_a_discussion_feed_rendered_without_its_page_keeps_its_place():
    tasks = [("page", 0, "k"), ("page", 2, "k"), ("feed", 1, "k"), ("feed", 2, "k")]
    assert article_order(tasks, PAGES, FEEDS) == [
        ("page", 0, "k"), ("page", 2, "k"), ("feed", 2, "k"), ("feed", 1, "k")]
