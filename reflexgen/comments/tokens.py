"""Signed comment-form tokens: proof that a submission comes from a form this site gave out,
for this article, a few seconds ago at least (bots post at once) and not hours ago, once.

A token is `itsdangerous`-signed JSON holding the thread, a random nonce and the issue time;
it is readable by anyone, forgeable by no one without the site's secret. Its nonce is spent
only when every other check has passed, so a reader told "too fast" may send it again."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer

from reflexgen.comments.store import Store

MIN_AGE = timedelta(seconds=3)  # a human reads the article and types: never faster
MAX_AGE = timedelta(hours=2)  # long enough to write a long answer
MAX_TOKEN_CHARS = 1000  # a real token is ~150 characters: a longer one is not even decoded
SALT = "reflexgen.comment-form"  # keeps these signatures apart from other uses of the secret

# What `check` returns for a token that is not good (stable keys: the theme translates them).
MISSING, FORGED, WRONG_ARTICLE = "missing", "forged", "wrong_article"
TOO_FAST, EXPIRED, REPLAYED = "too_fast", "expired", "replayed"


def issue(secret: bytes, thread: str, now: datetime) -> str:
    """A new token for a form of `thread` (the article's source path) shown at `now`."""
    payload = {"t": thread, "n": secrets.token_urlsafe(16), "i": _millis(now)}
    return str(URLSafeSerializer(secret, salt=SALT).dumps(payload))


def check(secret: bytes, token: str | None, thread: str, now: datetime, store: Store,
          min_age: timedelta = MIN_AGE, max_age: timedelta = MAX_AGE) -> str | None:
    """None if `token` is good for a submission to `thread` at `now` (its nonce is then
    spent), else the reason: MISSING, FORGED, WRONG_ARTICLE, TOO_FAST, EXPIRED or REPLAYED."""
    if not token:
        return MISSING
    payload = _payload(secret, token)
    if payload is None:
        return FORGED
    if payload["t"] != thread:
        return WRONG_ARTICLE
    issued = datetime.fromtimestamp(payload["i"] / 1000, UTC)
    age = now - issued
    if age < min_age:
        return TOO_FAST
    if age > max_age:
        return EXPIRED
    if not store.use_nonce(payload["n"], issued + max_age, now):
        return REPLAYED
    return None


def _payload(secret: bytes, token: str) -> dict | None:
    """The token's content if this site signed it, else None."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        payload = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadData:
        return None
    if not (isinstance(payload, dict) and isinstance(payload.get("t"), str)
            and isinstance(payload.get("n"), str) and type(payload.get("i")) is int):
        return None
    return payload


def _millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone: pass an aware datetime")
    return round(moment.timestamp() * 1000)
