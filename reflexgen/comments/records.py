"""What the intake stores about a comment: plain records, shared by the store, the defences,
the intake server, moderation and publication."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# pending: waits for a moderator; approved: to be (or already) written into the sidecar;
# spam: kept for review, purged after a while. Refused submissions are never stored.
STATUSES = ("pending", "approved", "spam")


@dataclass(frozen=True)
class Draft:
    """A comment as a reader sent it, checked for shape (lengths, no line breaks in one-line
    fields) but not yet judged."""

    thread: str  # the article's source path under content/ ("posts/2024/x.md"), never its URL
    parent: str | None  # the published comment it answers (its id in the sidecar), if any
    author: str
    email: str | None
    url: str | None  # the author's website (http/https only)
    body: str  # Markdown, exactly as typed
    client: str  # HMAC of the client's IP prefix (/24 or /64), never the address itself
    author_id: str | None = None  # the site's author who wrote it (the moderation page)
    source: str | None = None  # a mention (Webmention): the other site's page that cites it


@dataclass(frozen=True)
class Submission:
    """A stored comment. `id` is the comment's id in the sidecar once published: it never
    changes, and never collides with an id already in the article or its sidecar."""

    id: str
    thread: str
    parent: str | None
    author: str
    email: str | None
    url: str | None
    body: str
    date: datetime  # when it was received, aware (UTC)
    status: str  # one of STATUSES
    reasons: tuple[str, ...] = ()  # why it is pending or spam: the signals that fired
    client: str = ""
    published: bool = False  # written into the sidecar file
    author_id: str | None = None  # the site's author who wrote it: shown with a badge
    source: str | None = None  # a mention (Webmention): the other site's page that cites it
