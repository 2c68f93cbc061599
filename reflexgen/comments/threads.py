"""The discussions a site has, as the intake and the publisher need them: which article a
thread belongs to, whether it takes comments, and the ids already used in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reflexgen.content.model import Site, flatten


@dataclass(frozen=True)
class ThreadInfo:
    source: str  # the article's source path under content/: the thread's key
    url: str  # the article's path in the site
    title: str
    lang: str  # the article's language (the site's unless it says otherwise)
    open: bool  # takes new comments: open on the built page, and not closed by age since


def thread_index(site: Site, now: datetime) -> dict[str, ThreadInfo]:
    """Every published article's thread, by source path (no article body is loaded).

    A thread is open where the built page shows the form: `comments_open` as assembled
    (which closes threads by age, see `CommentSettings.closed`); the same rule is asked
    again at `now`, so that a thread that closed since the last build is closed here too."""
    settings = site.config.comments
    found = {}
    for article in site.articles:
        found[article.source] = ThreadInfo(
            article.source, article.url, article.title, article.lang or site.config.language,
            article.comments_open and not settings.closed(article.date, now)
            and not article.draft and not article.future)
    return found


def published_ids(site: Site, source: str) -> frozenset[str]:
    """The ids of an article's approved comments: the parents a reply may have (its body is
    loaded for that, and only its)."""
    body = site.bodies.get(source)
    return frozenset(c.id for c in flatten(body.threads)) if body else frozenset()
