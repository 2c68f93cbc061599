import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer

from reflexgen.comments import tokens
from reflexgen.comments.store import SQLiteStore

SECRET = b"s" * 32
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
THREAD = "posts/2026/liberté.md"


def later(seconds):
    return NOW + timedelta(seconds=seconds)


def test_a_good_token_passes_once(comment_store):
    token = tokens.issue(SECRET, THREAD, NOW)
    assert tokens.check(SECRET, token, THREAD, later(20), comment_store) is None
    assert tokens.check(SECRET, token, THREAD, later(25), comment_store) == tokens.REPLAYED


def test_replay_is_caught_across_reopening_the_store(tmp_path):
    token = tokens.issue(SECRET, THREAD, NOW)
    first = SQLiteStore(tmp_path / "c.sqlite3")
    assert tokens.check(SECRET, token, THREAD, later(10), first) is None
    first.close()
    second = SQLiteStore(tmp_path / "c.sqlite3")
    assert tokens.check(SECRET, token, THREAD, later(11), second) == tokens.REPLAYED
    second.close()


def test_each_token_has_its_own_nonce(comment_store):
    one, two = tokens.issue(SECRET, THREAD, NOW), tokens.issue(SECRET, THREAD, NOW)
    assert one != two
    assert tokens.check(SECRET, one, THREAD, later(5), comment_store) is None
    assert tokens.check(SECRET, two, THREAD, later(5), comment_store) is None


@pytest.mark.parametrize("token", [None, ""])
def test_missing(comment_store, token):
    assert tokens.check(SECRET, token, THREAD, later(10), comment_store) == tokens.MISSING


def _tampered(token, **changes):
    """The token's payload changed, its signature kept."""
    payload, signature = token.rsplit(".", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    raw = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return raw.decode().rstrip("=") + "." + signature


def _flip_signature(token):
    """The signature's first character changed (the last one holds bits base64 ignores)."""
    payload, signature = token.rsplit(".", 1)
    return f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize("make", [
    lambda: "n'importe quoi",
    lambda: "eyJ0IjoicG9zdHMvYS5tZCJ9.AAAA",
    lambda: tokens.issue(b"another site's secret" + b"x" * 11, THREAD, NOW),
    lambda: URLSafeSerializer(SECRET, salt="other.use").dumps(
        {"t": THREAD, "n": "x", "i": int(NOW.timestamp() * 1000)}),
    lambda: _tampered(tokens.issue(SECRET, "posts/other.md", NOW), t=THREAD),
    lambda: _tampered(tokens.issue(SECRET, THREAD, later(-3600 * 5)),
                      i=int(NOW.timestamp()) * 1000),
    lambda: _flip_signature(tokens.issue(SECRET, THREAD, NOW)),
    lambda: tokens.issue(SECRET, THREAD, NOW) + "x" * 2000,
    lambda: URLSafeSerializer(SECRET, salt=tokens.SALT).dumps(["posts/a.md", "n", 1]),
    lambda: URLSafeSerializer(SECRET, salt=tokens.SALT).dumps(
        {"t": THREAD, "n": "x", "i": "1772366400000"}),
    lambda: URLSafeSerializer(SECRET, salt=tokens.SALT).dumps(
        {"t": THREAD, "n": "x", "i": True}),
])
def test_forged(comment_store, make):
    assert tokens.check(SECRET, make(), THREAD, later(10), comment_store) == tokens.FORGED


def test_forged_tokens_spend_no_nonce(comment_store):
    real = tokens.issue(SECRET, THREAD, NOW)
    payload = real.split(".", 1)[0]
    assert tokens.check(SECRET, payload + ".bad", THREAD, later(10), comment_store) == tokens.FORGED
    assert tokens.check(SECRET, real, THREAD, later(10), comment_store) is None


def test_wrong_article(comment_store):
    token = tokens.issue(SECRET, "posts/a.md", NOW)
    assert tokens.check(SECRET, token, "posts/b.md", later(10), comment_store) == \
        tokens.WRONG_ARTICLE
    assert tokens.check(SECRET, token, "posts/a.md", later(10), comment_store) is None


@pytest.mark.parametrize("seconds", [0, 1, 2.999, -60])
def test_too_fast_and_the_token_stays_usable(comment_store, seconds):
    token = tokens.issue(SECRET, THREAD, NOW)
    assert tokens.check(SECRET, token, THREAD, later(seconds), comment_store) == tokens.TOO_FAST
    assert tokens.check(SECRET, token, THREAD, later(3), comment_store) is None


def test_age_limits_are_settable(comment_store):
    token = tokens.issue(SECRET, THREAD, NOW)
    assert tokens.check(SECRET, token, THREAD, later(5), comment_store,
                        min_age=timedelta(seconds=10)) == tokens.TOO_FAST
    assert tokens.check(SECRET, token, THREAD, later(61), comment_store,
                        max_age=timedelta(minutes=1)) == tokens.EXPIRED


def test_expired(comment_store):
    token = tokens.issue(SECRET, THREAD, NOW)
    limit = tokens.MAX_AGE.total_seconds()
    assert tokens.check(SECRET, token, THREAD, later(limit + 1), comment_store) == tokens.EXPIRED
    assert tokens.check(SECRET, token, THREAD, later(limit), comment_store) is None


def test_a_spent_nonce_outlives_its_token(comment_store):
    token = tokens.issue(SECRET, THREAD, NOW)
    assert tokens.check(SECRET, token, THREAD, later(10), comment_store) is None
    comment_store.purge(later(3600))  # still within the token's life: the nonce must stay
    assert tokens.check(SECRET, token, THREAD, later(3601), comment_store) == tokens.REPLAYED


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        tokens.issue(SECRET, THREAD, datetime(2026, 3, 1))

