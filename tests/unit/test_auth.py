"""The moderator's password, TOTP codes, sessions and CSRF tokens (comments/auth.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from reflexgen.comments import auth

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "une phrase de passe assez longue"


def test_the_password_is_kept_as_an_argon2id_hash(comment_store):
    assert not auth.has_password(comment_store)
    auth.set_password(comment_store, PASSWORD)
    stored = comment_store.meta(auth.PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert auth.check_login(comment_store, PASSWORD, "", NOW)
    for wrong in ("", PASSWORD.upper(), PASSWORD + " ", "x" * 10_000):
        assert not auth.check_login(comment_store, wrong, "", NOW)


def test_without_a_password_nothing_logs_in(comment_store):
    assert not auth.check_login(comment_store, "reflexgen: no password is set", "", NOW)
    assert not auth.check_login(comment_store, "", "", NOW)


def test_a_short_password_is_refused(comment_store):
    with pytest.raises(ValueError, match="at least 12"):
        auth.set_password(comment_store, "court")
    assert not auth.has_password(comment_store)


def test_a_code_is_needed_once_totp_is_on(comment_store):
    auth.set_password(comment_store, PASSWORD)
    address = auth.new_totp(comment_store, "Le Blog")
    totp = pyotp.parse_uri(address)
    assert address.startswith("otpauth://totp/") and "issuer=reflexgen" in address
    code = totp.at(NOW)
    assert not auth.check_login(comment_store, PASSWORD, "", NOW)
    assert not auth.check_login(comment_store, "mauvais mot de passe", code, NOW)
    assert not auth.check_login(comment_store, PASSWORD, code, NOW + timedelta(minutes=5))
    # A slow typist: the code of the step before is still taken…
    assert auth.check_login(comment_store, PASSWORD, code, NOW + timedelta(seconds=30))
    # …but a code opens one session only (one seen over a shoulder opens nothing more).
    assert not auth.check_login(comment_store, PASSWORD, code, NOW + timedelta(seconds=31))
    assert not auth.check_login(comment_store, PASSWORD, code, NOW)
    later = NOW + timedelta(seconds=60)
    assert auth.check_login(comment_store, PASSWORD, totp.at(later), later)
    auth.drop_totp(comment_store)
    assert auth.check_login(comment_store, PASSWORD, "", NOW)


def test_sessions_expire_end_and_end_all_with_a_new_password(comment_store):
    secret = comment_store.secret()
    one = auth.open_session(comment_store, secret, NOW)
    two = auth.open_session(comment_store, secret, NOW)
    assert one.token != two.token and one.csrf != two.csrf
    assert auth.session(comment_store, secret, one.token, NOW).csrf == one.csrf
    assert auth.session(comment_store, secret, one.token, one.expires) is None
    auth.close_session(comment_store, one.token)
    assert auth.session(comment_store, secret, one.token, NOW) is None
    assert auth.session(comment_store, secret, two.token, NOW) is not None
    auth.set_password(comment_store, PASSWORD)
    assert auth.session(comment_store, secret, two.token, NOW) is None
    for forged in (None, "", "x", "x" * 5000):
        assert auth.session(comment_store, secret, forged, NOW) is None


@pytest.mark.sqlite_only
def test_the_database_holds_no_session_token(comment_store):
    session = auth.open_session(comment_store, comment_store.secret(), NOW)
    with sqlite3.connect(comment_store.path) as db:
        kept = [row[0] for row in db.execute("SELECT id FROM sessions")]
    assert kept and session.token not in kept


def test_csrf_tokens_belong_to_their_session(comment_store):
    secret = comment_store.secret()
    one = auth.open_session(comment_store, secret, NOW)
    two = auth.open_session(comment_store, secret, NOW)
    assert auth.csrf_ok(one, one.csrf)
    assert not auth.csrf_ok(one, two.csrf)
    assert not auth.csrf_ok(one, "")
    assert not auth.csrf_ok(one, "é" * 64)
