"""Who may moderate: the blogger's password (argon2id), an optional TOTP code, sessions and
CSRF tokens for the moderation page (`admin.py`).

One moderator, one password: there is no user name to guess, hence none to enumerate. The
password's hash and the TOTP secret are kept with the queue (the store's `meta`), sessions in
the store too, so that every intake process knows them and `set-password` ends them all.
A session is a random token in a cookie; the store keeps only its SHA-256, so a copy of the
database opens no session. The CSRF token of a session is an HMAC of it with the site's
secret: nothing more to keep."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from reflexgen.comments.store import Store

PASSWORD = "admin.password"  # meta: the argon2id hash
TOTP = "admin.totp"  # meta: the base32 TOTP secret, when codes are asked for
TOTP_LAST = "admin.totp.last"  # meta: the last time step whose code opened a session
MIN_PASSWORD = 12  # characters
SESSION_LIFETIME = timedelta(hours=12)
# Login attempts a client may make (any outcome), before it is told to wait.
LOGIN_LIMITS = ((timedelta(minutes=1), 5), (timedelta(hours=1), 20))
ISSUER = "reflexgen"


@dataclass(frozen=True)
class Session:
    token: str  # what the cookie holds
    csrf: str  # what each of its forms holds
    expires: datetime


def set_password(store: Store, password: str) -> None:
    """Keep `password`'s hash (argon2id, the library's parameters) and end every session."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password of at least {MIN_PASSWORD} characters is needed")
    store.set_meta(PASSWORD, PasswordHasher().hash(password))
    store.end_sessions()


def has_password(store: Store) -> bool:
    return store.meta(PASSWORD) is not None


def new_totp(store: Store, site: str) -> str:
    """Ask for codes from now on: a new secret, returned as an `otpauth://` address for an
    authenticator app."""
    secret = pyotp.random_base32()
    store.set_meta(TOTP, secret)
    store.set_meta(TOTP_LAST, None)
    store.end_sessions()
    return pyotp.TOTP(secret).provisioning_uri(name=site, issuer_name=ISSUER)


def drop_totp(store: Store) -> None:
    store.set_meta(TOTP, None)


def needs_code(store: Store) -> bool:
    return store.meta(TOTP) is not None


def check_login(store: Store, password: str, code: str, now: datetime) -> bool:
    """Whether the password (and the code, when one is asked for) is right. The hash is
    checked even without a password set (against a dummy), so that the answer takes the
    same time either way."""
    stored = store.meta(PASSWORD)
    hasher = PasswordHasher()
    try:
        right = hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        right = False
    secret = store.meta(TOTP)
    if secret is not None:
        with store.atomic():  # two logins with one code: one of them only
            step = code_step(pyotp.TOTP(secret), code.strip(), now)
            last = int(store.meta(TOTP_LAST) or -1)
            right = right and step is not None and step > last
            if right:
                store.set_meta(TOTP_LAST, str(step))
    if right and stored is not None and hasher.check_needs_rehash(stored):
        store.set_meta(PASSWORD, hasher.hash(password))
    return right


def code_step(totp: pyotp.TOTP, code: str, now: datetime) -> int | None:
    """The 30-second step a code is right for: now's, or the one before (a slow typist, a
    clock a little off); None if it is wrong. A step's code is taken once (`TOTP_LAST`):
    a code seen over a shoulder or in a log opens nothing."""
    for moment in (now, now - timedelta(seconds=totp.interval)):
        if hmac.compare_digest(totp.at(moment).encode(), code.encode("utf-8", "replace")):
            return totp.timecode(moment)
    return None


def open_session(store: Store, secret: bytes, now: datetime) -> Session:
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    store.add_session(_digest(token), expires)
    return Session(token, csrf_token(secret, token), expires)


def session(store: Store, secret: bytes, token: str | None, now: datetime) -> Session | None:
    """The session a cookie names, if it is open and has not expired."""
    if not token or len(token) > 100:
        return None
    expires = store.session_expires(_digest(token), now)
    return Session(token, csrf_token(secret, token), expires) if expires else None


def close_session(store: Store, token: str) -> None:
    store.end_session(_digest(token))


def csrf_token(secret: bytes, token: str) -> str:
    return hmac.new(secret, f"csrf:{token}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(current: Session, sent: str) -> bool:
    return hmac.compare_digest(current.csrf.encode(), sent.encode("utf-8", "replace"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _dummy() -> str:
    return PasswordHasher().hash("reflexgen: no password is set")
