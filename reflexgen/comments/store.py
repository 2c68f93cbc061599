"""Where the intake keeps what it received: the queue, spam, rate-limit hits, used form tokens
and the site's secret. One small interface (`Store`), its statements written once
(`SQLStore`), one class per engine: SQLite here (a file beside the site, WAL mode),
PostgreSQL in `postgres.py` (for several machines; `open_store` picks by the address). The
database holds personal data (e-mail addresses, client HMACs): nothing of it is written to
the site but what publication copies into the sidecar files."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reflexgen.comments.records import STATUSES, Draft, Submission
from reflexgen.comments.schema import MIGRATIONS, SCHEMA_VERSION, SQLITE, Dialect
from reflexgen.errors import BuildError, Problem

if TYPE_CHECKING:
    from reflexgen.comments.postgres import PostgresStore

BUSY_TIMEOUT_MS = 5000  # how long a writer waits for another (thread or process) to finish
SECRET_BYTES = 32
MAX_HITS = 1000  # a key counts no further in its window: a flood costs no more rows
PURGE_BATCH = 1000  # rows deleted in one transaction by `purge`
CLAIM_SECONDS = 300  # a message claimed by a sender that has not finished since: free again
NEVER = 1e18  # the due time of a message given up on
POSTGRES_SCHEMES = ("postgresql", "postgres")  # the addresses libpq takes
__all__ = ["MIGRATIONS", "POSTGRES_SCHEMES", "SCHEMA_VERSION", "SQLStore", "SQLiteStore",
           "Store", "is_server", "open_store", "postgres_store"]


class Store(Protocol):
    """What the intake, moderation and publication need from storage. Times are aware
    datetimes passed in by the caller (never read from the clock here: testable)."""

    def add(self, draft: Draft, status: str, reasons: tuple[str, ...], now: datetime
            ) -> Submission:
        """Store a judged draft; its id (`c17`) is new, and never given again."""
        ...

    def get(self, cid: str) -> Submission | None: ...

    def find(self, status: str | None = None, thread: str | None = None,
             search: str | None = None, limit: int | None = None, offset: int = 0,
             pending_first: bool = False) -> list[Submission]:
        """Submissions, newest first (the pending ones before the others with
        `pending_first`); `search` matches author, e-mail or body (any case; any accent on
        SQLite); `limit` and `offset` give one page of them."""
        ...

    def history(self, email: str, limit: int) -> list[Submission]:
        """The comments kept (pending or approved) from this address, in any case, newest
        first."""
        ...

    def set_status(self, ids: Iterable[str], status: str) -> list[Submission]:
        """Give `ids` a status; returns those that exist, changed."""
        ...

    def edit(self, cid: str, body: str) -> Submission:
        """Replace a submission's body (raises KeyError if there is none)."""
        ...

    def delete(self, ids: Iterable[str]) -> int:
        """Remove submissions for good; returns how many there were."""
        ...

    def to_publish(self) -> list[Submission]:
        """Approved submissions not yet written into their sidecar, oldest first."""
        ...

    def mark_published(self, ids: Iterable[str], published: bool = True) -> None:
        """Say that `ids` are in their sidecar files now (or, `published` False, no longer)."""
        ...

    def reparent(self, thread: str, old: str, new: str | None) -> int:
        """The replies in `thread` to `old` answer `new` instead (None: top-level); returns
        how many."""
        ...

    def count_hits(self, key: str, windows: tuple[timedelta, ...], now: datetime
                   ) -> tuple[int, ...]:
        """Record a hit for `key`; returns its hits within each of `windows` (this one
        included), counting no further than `MAX_HITS` in the longest."""
        ...

    def use_nonce(self, nonce: str, expires: datetime, now: datetime) -> bool:
        """True the first time `nonce` is used, False ever after (until it expires)."""
        ...

    def seen(self, digest: str, since: datetime) -> frozenset[str]:
        """The threads where a submission with this `body_digest` came since then."""
        ...

    def flag_flood(self, client: str, since: datetime) -> int:
        """Turn the client's pending submissions since then into spam (reason `flood`);
        returns how many."""
        ...

    def publishing(self) -> AbstractContextManager[None]:
        """Held while comments are published: one publisher at a time among every process,
        on any machine, that shares this store (SQLite's share one machine, and the site's
        lock is enough)."""
        ...

    def atomic(self) -> AbstractContextManager[None]:
        """The writes made inside, in this thread, are one transaction: all kept, or none
        (a submission's rate-limit hits, nonce and record, with one commit)."""
        ...

    def purge(self, now: datetime, spam_days: int = 30) -> int:
        """Remove spam older than `spam_days`, expired hits, nonces and sessions, the client
        HMACs of comments older than that and the mail sent (or given up) before then;
        returns how many spam submissions went."""
        ...

    def secret(self) -> bytes:
        """The site's random secret (form tokens, client HMACs): made once, then kept."""
        ...

    def close(self) -> None: ...

    def meta(self, name: str) -> str | None:
        """A small named fact kept with the queue (publication's "needs build"), or None."""
        ...

    def forget_meta(self, name: str, value: str) -> bool:
        """Forget a fact if it still holds `value` (not if it changed meanwhile)."""
        ...

    def swap_meta(self, name: str, old: str | None, new: str) -> bool:
        """Set a fact to `new` if it still is `old` (None: not set); False if another
        process changed it first."""
        ...

    def add_session(self, sid: str, expires: datetime) -> None:
        """Open a moderation session (`sid`: a digest of its token)."""
        ...

    # mail

    def queue_mail(self, recipient: str, kind: str, message: bytes, now: datetime,
                   spacing: timedelta | None = None, alike: tuple[str, ...] = (),
                   once: bool = False) -> bool:
        """Put a message in the outbox; with `spacing`, not sooner than that after the last
        one of the `alike` kinds (its own by default) queued for the same address; with
        `once`, not at all while one of them still waits to be sent (a flood of requests
        never piles up messages for one address). Returns whether it was queued."""
        ...

    def claim_mail(self, now: datetime, limit: int) -> list[tuple[int, str, bytes, int]]:
        """Messages due, taken by this sender: (number, recipient, message, attempts)."""
        ...

    def mail_sent(self, n: int, now: datetime) -> None: ...

    def mail_failed(self, n: int, error: str, retry_at: datetime | None) -> None:
        """A failed attempt: tried again at `retry_at` (None: given up)."""
        ...

    def mail_troubles(self, limit: int) -> list[tuple[str, str, int, str]]:
        """Messages not sent whose last attempt failed: (recipient, kind, attempts, error)."""
        ...

    def confirm_address(self, email: str, now: datetime) -> None: ...

    def address_confirmed(self, email: str) -> bool: ...

    def forget_address(self, email: str) -> int:
        """The reader unsubscribed: their confirmation and subscriptions go; how many."""
        ...

    def subscribe(self, cid: str, email: str, now: datetime) -> None:
        """`email` follows the replies to comment `cid`."""
        ...

    def subscriber(self, cid: str) -> str | None:
        """The confirmed address that follows the replies to `cid`, if any."""
        ...

    def to_notify(self) -> list[Submission]:
        """Published comments whose author was not yet told so, oldest first."""
        ...

    def claim_notified(self, cid: str) -> bool:
        """Mark a published comment as told; False if another process did it first."""
        ...

    def trusted(self, email: str) -> bool:
        """A confirmed address with an approved comment (`moderation = "trusted"`)."""
        ...

    # Webmention

    def mention(self, source: str, thread: str) -> Submission | None:
        """The mention of `thread` from the page `source`, if there is one."""
        ...

    def was_sent(self, source: str, target: str) -> bool:
        """Whether this site already told `target` that `source` cites it."""
        ...

    def record_sent(self, source: str, target: str, endpoint: str, status: int,
                    now: datetime) -> None:
        """Remember a mention sent (`endpoint` "": the target has none)."""
        ...

    # personal data

    def by_email(self, email: str) -> list[Submission]:
        """Every submission from this address, in any case and status, oldest first."""
        ...

    def mail_to(self, email: str) -> list[tuple[str, float, float | None]]:
        """The messages to this address in the outbox: (kind, created, sent)."""
        ...

    def erase_address(self, email: str) -> int:
        """Remove everything kept about this address (submissions, confirmation, follows,
        messages to it); how many submissions went."""
        ...

    def session_expires(self, sid: str, now: datetime) -> datetime | None:
        """When an open session ends; None if it is not open (ended, expired or unknown)."""
        ...

    def end_session(self, sid: str) -> None: ...

    def end_sessions(self) -> None:
        """End every session (a new password)."""
        ...

    def set_meta(self, name: str, value: str | None) -> None:
        """Keep (or, with None, forget) a named fact."""
        ...


def normalized(text: str) -> str:
    """Text as comments are compared (duplicates, the blocklist, reserved names): no case,
    no accents, any Unicode form, single spaces."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def body_digest(body: str) -> str:
    """A comment's fingerprint for duplicate detection: the same words in any case, accents,
    spacing or Unicode form give the same digest."""
    return hashlib.sha256(normalized(body).encode()).hexdigest()


class SQLStore:
    """The statements of `Store`, written once for every SQL engine (`dialect` fills in the
    few words that differ); an engine's class gives connections (`_db`, one per thread) and
    transactions (`_transaction`). Statements use `?` placeholders: an engine that wants
    another style translates them in its connection."""

    dialect: Dialect = SQLITE
    _local: threading.local
    _secret: bytes | None = None

    def _db(self) -> Any:
        """This thread's connection (`execute`, `executemany`; rows by index and name)."""
        raise NotImplementedError

    def _transaction(self, db: Any) -> AbstractContextManager[None]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @contextmanager
    def _write(self) -> Iterator[Any]:
        db = self._db()
        if getattr(self._local, "atomic", False):  # part of the transaction around it
            yield db
            return
        with self._transaction(db):
            yield db

    def publishing(self) -> AbstractContextManager[None]:
        return nullcontext()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        if getattr(self._local, "atomic", False):
            yield
            return
        with self._write():
            self._local.atomic = True
            try:
                yield
            finally:
                self._local.atomic = False

    # submissions

    def add(self, draft: Draft, status: str, reasons: tuple[str, ...], now: datetime
            ) -> Submission:
        _check_status(status)
        with self._write() as db:
            n = db.execute(
                "INSERT INTO submissions (thread, parent, author, email, url, body, digest, "
                "date, status, reasons, client, author_id, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING n",
                (draft.thread, draft.parent, draft.author, draft.email, draft.url, draft.body,
                 body_digest(draft.body), _stamp(now), status, json.dumps(list(reasons)),
                 draft.client, draft.author_id, draft.source)).fetchone()[0]
        return Submission(f"c{n}", draft.thread, draft.parent, draft.author, draft.email,
                          draft.url, draft.body, _utc(now), status, tuple(reasons),
                          draft.client, author_id=draft.author_id, source=draft.source)

    def get(self, cid: str) -> Submission | None:
        n = _number(cid)
        if n is None:
            return None
        row = self._db().execute("SELECT * FROM submissions WHERE n = ?", (n,)).fetchone()
        return _submission(row) if row else None

    def find(self, status: str | None = None, thread: str | None = None,
             search: str | None = None, limit: int | None = None, offset: int = 0,
             pending_first: bool = False) -> list[Submission]:
        where: list[str] = []
        values: list[object] = []
        if status is not None:
            _check_status(status)
            where.append("status = ?")
            values.append(status)
        if thread is not None:
            where.append("thread = ?")
            values.append(thread)
        if search:
            if self.dialect.fold != "{}":
                search = normalized(search)
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"
            like, fold = self.dialect.like, self.dialect.fold.format
            where.append("(" + " OR ".join(f"{fold(column)} {like} ? ESCAPE '\\'"
                                           for column in ("author", "email", "body")) + ")")
            values += [pattern] * 3
        query = "SELECT * FROM submissions"
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY status = 'pending' DESC, n DESC" if pending_first else \
            " ORDER BY n DESC"
        if limit is not None:
            query += " LIMIT ? OFFSET ?"
            values += [limit, offset]
        rows = self._db().execute(query, values).fetchall()
        return [_submission(row) for row in rows]

    def history(self, email: str, limit: int) -> list[Submission]:
        rows = self._db().execute(
            "SELECT * FROM submissions WHERE lower(email) = lower(?) AND status != 'spam' "
            "ORDER BY n DESC LIMIT ?", (email, limit)).fetchall()
        return [_submission(row) for row in rows]

    def set_status(self, ids: Iterable[str], status: str) -> list[Submission]:
        _check_status(status)
        numbers = _numbers(ids)
        with self._write() as db:
            db.executemany("UPDATE submissions SET status = ? WHERE n = ?",
                           [(status, n) for n in numbers])
            rows = _rows(db, numbers)
        return [_submission(row) for row in rows]

    def edit(self, cid: str, body: str) -> Submission:
        n = _number(cid)
        with self._write() as db:
            changed = db.execute("UPDATE submissions SET body = ?, digest = ? WHERE n = ?",
                                 (body, body_digest(body), n)).rowcount if n else 0
            if not changed:
                raise KeyError(cid)
            row = db.execute("SELECT * FROM submissions WHERE n = ?", (n,)).fetchone()
        return _submission(row)

    def delete(self, ids: Iterable[str]) -> int:
        with self._write() as db:
            return sum(db.execute("DELETE FROM submissions WHERE n = ?", (n,)).rowcount
                       for n in _numbers(ids))

    def to_publish(self) -> list[Submission]:
        rows = self._db().execute(
            "SELECT * FROM submissions WHERE status = 'approved' AND published = 0 "
            "ORDER BY n").fetchall()
        return [_submission(row) for row in rows]

    def mark_published(self, ids: Iterable[str], published: bool = True) -> None:
        with self._write() as db:
            db.executemany("UPDATE submissions SET published = ? WHERE n = ?",
                           [(int(published), n) for n in _numbers(ids)])

    def reparent(self, thread: str, old: str, new: str | None) -> int:
        with self._write() as db:
            return db.execute("UPDATE submissions SET parent = ? WHERE thread = ? AND "
                              "parent = ?", (new, thread, old)).rowcount

    # defences

    def count_hits(self, key: str, windows: tuple[timedelta, ...], now: datetime
                   ) -> tuple[int, ...]:
        # One row a hit, whatever the windows: it expires with the longest.
        at = _seconds(now)
        spans = [window.total_seconds() for window in windows]
        counts = ", ".join(["count(*) FILTER (WHERE at > ?)"] * len(spans))
        with self._write() as db:  # older hits are not counted; `purge` removes them
            found = db.execute(
                f"SELECT {counts} FROM (SELECT at FROM hits WHERE key = ? AND at > ? "
                "ORDER BY at DESC LIMIT ?) AS recent",
                (*(at - span for span in spans), key, at - max(spans), MAX_HITS)).fetchone()
            if max(found) >= MAX_HITS:
                return tuple(min(count + 1, MAX_HITS) for count in found)
            db.execute("INSERT INTO hits (key, at, expires) VALUES (?, ?, ?)",
                       (key, at, at + max(spans)))
            return tuple(count + 1 for count in found)

    def use_nonce(self, nonce: str, expires: datetime, now: datetime) -> bool:
        with self._write() as db:
            db.execute("DELETE FROM nonces WHERE expires <= ?", (_seconds(now),))
            return db.execute("INSERT INTO nonces (nonce, expires) VALUES (?, ?) "
                              "ON CONFLICT DO NOTHING", (nonce, _seconds(expires))).rowcount == 1

    def seen(self, digest: str, since: datetime) -> frozenset[str]:
        return frozenset(row[0] for row in self._db().execute(
            "SELECT DISTINCT thread FROM submissions WHERE digest = ? AND date >= ?",
            (digest, _stamp(since))))

    def flag_flood(self, client: str, since: datetime) -> int:
        with self._write() as db:
            return db.execute(
                "UPDATE submissions SET status = 'spam', reasons = ? "
                "WHERE client = ? AND status = 'pending' AND date >= ?",
                (json.dumps(["flood"]), client, _stamp(since))).rowcount

    def purge(self, now: datetime, spam_days: int = 30) -> int:
        # In batches, each its own transaction: the writers' lock is never held long (the
        # intake judges submissions on its event loop, which waits for it meanwhile).
        rowid = self.dialect.rowid
        deletions = [
            ("DELETE FROM submissions WHERE n IN (SELECT n FROM submissions WHERE "
             "status = 'spam' AND date < ? LIMIT ?)", _stamp(now - timedelta(days=spam_days))),
            (f"DELETE FROM hits WHERE {rowid} IN (SELECT {rowid} FROM hits WHERE expires <= ? "
             "LIMIT ?)", _seconds(now)),
            ("DELETE FROM nonces WHERE nonce IN (SELECT nonce FROM nonces WHERE expires <= ? "
             "LIMIT ?)", _seconds(now)),
            ("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires <= ? "
             "LIMIT ?)", _seconds(now)),
            # What ties a comment to a network, and the mail sent (or given up), go after
            # the same 30 days as spam.
            ("UPDATE submissions SET client = '' WHERE n IN (SELECT n FROM submissions "
             "WHERE client != '' AND date < ? LIMIT ?)", _stamp(now - timedelta(days=spam_days))),
            ("DELETE FROM outbox WHERE n IN (SELECT n FROM outbox WHERE created < ? AND "
             f"(sent IS NOT NULL OR due >= {NEVER:.0f}) LIMIT ?)",
             _seconds(now - timedelta(days=spam_days)))]
        spam, *_ = [self._delete_in_batches(statement, before)
                    for statement, before in deletions]
        return spam

    def _delete_in_batches(self, statement: str, before: str | float) -> int:
        total, count = 0, PURGE_BATCH
        while count == PURGE_BATCH:
            with self._write() as db:
                count = db.execute(statement, (before, PURGE_BATCH)).rowcount
            total += count
        return total

    def secret(self) -> bytes:
        # Processes starting at once each try to insert theirs: the first one kept wins.
        if self._secret is None:
            with self._write() as db:
                db.execute("INSERT INTO secrets (name, value) VALUES ('site', ?) "
                           "ON CONFLICT DO NOTHING", (secrets.token_bytes(SECRET_BYTES),))
                self._secret = bytes(db.execute(
                    "SELECT value FROM secrets WHERE name = 'site'").fetchone()[0])
        return self._secret

    # state

    def meta(self, name: str) -> str | None:
        row = self._db().execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def swap_meta(self, name: str, old: str | None, new: str) -> bool:
        with self._write() as db:
            if old is None:
                return db.execute("INSERT INTO meta (name, value) VALUES (?, ?) "
                                  "ON CONFLICT (name) DO NOTHING", (name, new)).rowcount == 1
            return db.execute("UPDATE meta SET value = ? WHERE name = ? AND value = ?",
                              (new, name, old)).rowcount == 1

    def forget_meta(self, name: str, value: str) -> bool:
        with self._write() as db:
            return db.execute("DELETE FROM meta WHERE name = ? AND value = ?",
                              (name, value)).rowcount == 1

    def set_meta(self, name: str, value: str | None) -> None:
        with self._write() as db:
            if value is None:
                db.execute("DELETE FROM meta WHERE name = ?", (name,))
            else:
                db.execute("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) "
                           "DO UPDATE SET value = excluded.value", (name, value))

    def add_session(self, sid: str, expires: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO sessions (id, expires) VALUES (?, ?)",
                       (sid, _seconds(expires)))

    def session_expires(self, sid: str, now: datetime) -> datetime | None:
        row = self._db().execute("SELECT expires FROM sessions WHERE id = ? AND expires > ?",
                                 (sid, _seconds(now))).fetchone()
        return datetime.fromtimestamp(row[0], UTC) if row else None

    def end_session(self, sid: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (sid,))

    def end_sessions(self) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions")

    # mail

    def queue_mail(self, recipient: str, kind: str, message: bytes, now: datetime,
                   spacing: timedelta | None = None, alike: tuple[str, ...] = (),
                   once: bool = False) -> bool:
        at = _seconds(now)
        kinds = alike or (kind,)
        among = f"kind IN ({', '.join('?' * len(kinds))})"
        with self._write() as db:
            if once and db.execute(
                    f"SELECT 1 FROM outbox WHERE recipient = ? AND {among} AND sent IS NULL "
                    "AND due < ?", (recipient, *kinds, NEVER)).fetchone():
                return False
            due = at
            if spacing is not None:
                last = db.execute(
                    f"SELECT max(due) FROM outbox WHERE recipient = ? AND {among} AND due < ?",
                    (recipient, *kinds, NEVER)).fetchone()[0]
                if last is not None:
                    due = max(at, last + spacing.total_seconds())
            db.execute("INSERT INTO outbox (recipient, kind, message, created, due) "
                       "VALUES (?, ?, ?, ?, ?)", (recipient, kind, message, at, due))
        return True

    def claim_mail(self, now: datetime, limit: int) -> list[tuple[int, str, bytes, int]]:
        at = _seconds(now)
        with self._write() as db:
            rows = db.execute(
                "UPDATE outbox SET claimed = ? WHERE n IN (SELECT n FROM outbox WHERE "
                "sent IS NULL AND due <= ? AND (claimed IS NULL OR claimed < ?) ORDER BY due, n "
                f"LIMIT ?{self.dialect.skip_locked}) RETURNING n, recipient, message, attempts",
                (at, at, at - CLAIM_SECONDS, limit)).fetchall()
        return [(row[0], row[1], bytes(row[2]), row[3]) for row in rows]

    def mail_sent(self, n: int, now: datetime) -> None:
        with self._write() as db:
            db.execute("UPDATE outbox SET sent = ?, claimed = NULL, error = '', "
                       "attempts = attempts + 1 WHERE n = ?", (_seconds(now), n))

    def mail_failed(self, n: int, error: str, retry_at: datetime | None) -> None:
        due = _seconds(retry_at) if retry_at is not None else NEVER
        with self._write() as db:
            db.execute("UPDATE outbox SET due = ?, claimed = NULL, error = ?, "
                       "attempts = attempts + 1 WHERE n = ?", (due, error[:500], n))

    def mail_troubles(self, limit: int) -> list[tuple[str, str, int, str]]:
        return [tuple(row) for row in self._db().execute(
            "SELECT recipient, kind, attempts, error FROM outbox WHERE sent IS NULL AND "
            "error != '' ORDER BY n DESC LIMIT ?", (limit,))]

    def confirm_address(self, email: str, now: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO addresses (email, confirmed) VALUES (?, ?) "
                       "ON CONFLICT DO NOTHING", (email.casefold(), _seconds(now)))

    def address_confirmed(self, email: str) -> bool:
        return self._db().execute("SELECT 1 FROM addresses WHERE email = ?",
                                  (email.casefold(),)).fetchone() is not None

    def forget_address(self, email: str) -> int:
        with self._write() as db:
            db.execute("DELETE FROM addresses WHERE email = ?", (email.casefold(),))
            return db.execute("DELETE FROM subscriptions WHERE email = ?",
                              (email.casefold(),)).rowcount

    def subscribe(self, cid: str, email: str, now: datetime) -> None:
        n = _number(cid)
        if n is None:
            raise KeyError(cid)
        with self._write() as db:
            db.execute("INSERT INTO subscriptions (comment, email, created) VALUES (?, ?, ?) "
                       "ON CONFLICT (comment) DO UPDATE SET email = excluded.email, "
                       "created = excluded.created", (n, email.casefold(), _seconds(now)))

    def subscriber(self, cid: str) -> str | None:
        n = _number(cid)
        row = self._db().execute(
            "SELECT s.email FROM subscriptions s JOIN addresses a ON a.email = s.email "
            "WHERE s.comment = ?", (n,)).fetchone() if n is not None else None
        return row[0] if row else None

    def to_notify(self) -> list[Submission]:
        rows = self._db().execute(
            "SELECT * FROM submissions WHERE published = 1 AND notified = 0 AND "
            "status = 'approved' ORDER BY n").fetchall()
        return [_submission(row) for row in rows]

    def claim_notified(self, cid: str) -> bool:
        n = _number(cid)
        with self._write() as db:
            return n is not None and db.execute(
                "UPDATE submissions SET notified = 1 WHERE n = ? AND notified = 0",
                (n,)).rowcount == 1

    def trusted(self, email: str) -> bool:
        return self.address_confirmed(email) and self._db().execute(
            "SELECT 1 FROM submissions WHERE lower(email) = lower(?) AND status != 'spam' "
            "AND status = 'approved' LIMIT 1", (email,)).fetchone() is not None

    # personal data

    def by_email(self, email: str) -> list[Submission]:
        key = self.dialect.casefold.format
        rows = self._db().execute(f"SELECT * FROM submissions WHERE {key('email')} = "
                                  f"{key('?')} ORDER BY n", (email,)).fetchall()
        return [_submission(row) for row in rows]

    def mail_to(self, email: str) -> list[tuple[str, float, float | None]]:
        key = self.dialect.casefold.format
        return [tuple(row) for row in self._db().execute(
            f"SELECT kind, created, sent FROM outbox WHERE {key('recipient')} = {key('?')} "
            "ORDER BY n", (email,))]

    # Webmention

    def mention(self, source: str, thread: str) -> Submission | None:
        row = self._db().execute("SELECT * FROM submissions WHERE source = ? AND thread = ? "
                                 "ORDER BY n DESC LIMIT 1", (source, thread)).fetchone()
        return _submission(row) if row else None

    def was_sent(self, source: str, target: str) -> bool:
        return self._db().execute("SELECT 1 FROM sent_mentions WHERE source = ? AND "
                                  "target = ?", (source, target)).fetchone() is not None

    def record_sent(self, source: str, target: str, endpoint: str, status: int,
                    now: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO sent_mentions (source, target, endpoint, status, sent) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, target) DO UPDATE SET "
                       "endpoint = excluded.endpoint, status = excluded.status, "
                       "sent = excluded.sent", (source, target, endpoint, status, _seconds(now)))

    def erase_address(self, email: str) -> int:
        key = self.dialect.casefold.format
        with self._write() as db:
            db.execute("DELETE FROM addresses WHERE email = ?", (email.casefold(),))
            db.execute("DELETE FROM subscriptions WHERE email = ?", (email.casefold(),))
            db.execute(f"DELETE FROM outbox WHERE {key('recipient')} = {key('?')}", (email,))
            return db.execute(f"DELETE FROM submissions WHERE {key('email')} = {key('?')}",
                              (email,)).rowcount


class SQLiteStore(SQLStore):
    """`Store` in one SQLite file, shared by threads and processes.

    A connection per thread: SQLite connections must not be used by two threads at once,
    and separate connections let readers run beside a writer in WAL mode (one connection
    behind a lock would queue reads behind writes). Writers, in this process or another,
    queue for a lock file (`_writer`), then take the database's lock at once (`BEGIN
    IMMEDIATE`; `BUSY_TIMEOUT_MS` bounds the wait for a writer that does not queue, such as
    the `sqlite3` shell)."""

    dialect = SQLITE

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._locks: list[int] = []  # the writer lock's file, opened once per thread
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._secret = None
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise BuildError(Problem(
                f"cannot use the comment database: {exc}", self.path,
                hint="check the [comments] database setting and the file's permissions; "
                     "restore it from a backup if it is damaged")) from None

    # connections

    def _db(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:  # forked: the parent's connections are not ours
            self._local, self._opened, self._pid = threading.local(), [], os.getpid()
            self._locks, self._lock = [], threading.Lock()
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            # Searches compare text as `normalized` makes it (no case, no accents).
            db.create_function("fold", 1, lambda text: normalized(text) if text else text,
                               deterministic=True)
            db.create_function("casefold", 1, lambda text: text.casefold() if text else text,
                               deterministic=True)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable but for a power cut
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return db

    @contextmanager
    def _transaction(self, db: sqlite3.Connection) -> Iterator[None]:
        with self._writer():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _writer(self) -> Iterator[None]:
        """One writer at a time, in this process or another, queued by the kernel (a lock on
        `<database>-lock`): a writer SQLite makes wait polls with growing sleeps, up to 100 ms
        each, and starves while other processes' writers keep taking the lock (2 intake
        workers answered in seconds)."""
        handle = getattr(self._local, "lock", None)
        if handle is None:
            handle = self._local.lock = os.open(f"{self.path}-lock",
                                                os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            with self._lock:
                self._locks.append(handle)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

    def _migrate(self) -> None:
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(newer_schema(version))
            for number in range(version, SCHEMA_VERSION):
                for statement in self.dialect.render(MIGRATIONS[number]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._lock:
            for db in self._opened:
                db.close()
            for handle in self._locks:
                os.close(handle)
            self._opened.clear()
            self._locks.clear()
        self._local = threading.local()


def open_store(database: str, root: Path) -> SQLStore:
    """The store that `[comments] database` names: a PostgreSQL server for a
    `postgresql://` address, else an SQLite file (relative to the site's folder, `root`)."""
    if not is_server(database):
        return SQLiteStore(root / database)
    scheme = database.partition("://")[0].lower()
    if scheme not in POSTGRES_SCHEMES:
        raise BuildError(Problem(
            f"[comments] database: {scheme}:// is not an engine reflexgen knows",
            hint='give a file name (database = "comments.sqlite3") or a PostgreSQL address '
                 '(database = "postgresql://user@host/name")'))
    return postgres_store(database)


def postgres_store(address: str) -> PostgresStore:
    """A PostgreSQL store; a clear error when psycopg (an optional dependency) is missing."""
    try:
        from reflexgen.comments.postgres import PostgresStore
    except ImportError:
        raise BuildError(Problem(
            "[comments] database: PostgreSQL needs psycopg, which is not installed",
            hint="pip install 'reflexgen[postgresql]'")) from None
    return PostgresStore(address)


def is_server(database: str) -> bool:
    """Whether `[comments] database` is a server's address rather than a file name."""
    return "://" in database


def newer_schema(version: int) -> str:
    return (f"its schema (version {version}) is newer than this reflexgen's "
            f"({SCHEMA_VERSION}): upgrade reflexgen")


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (known: {', '.join(STATUSES)})")


def _number(cid: str) -> int | None:
    """The row number of a `c17` id; None for anything else."""
    digits = cid[1:] if cid.startswith("c") else ""
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None


def _numbers(ids: Iterable[str]) -> list[int]:
    return [n for n in map(_number, ids) if n is not None]


def _rows(db: Any, numbers: list[int]) -> list[Any]:
    found = (db.execute("SELECT * FROM submissions WHERE n = ?", (n,)).fetchone()
             for n in dict.fromkeys(numbers))
    return [row for row in found if row is not None]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone: pass an aware datetime")
    return moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return _utc(moment).isoformat(timespec="microseconds")


def _seconds(moment: datetime) -> float:
    return _utc(moment).timestamp()


def _submission(row: Any) -> Submission:
    return Submission(
        id=f"c{row['n']}", thread=row["thread"], parent=row["parent"], author=row["author"],
        email=row["email"], url=row["url"], body=row["body"],
        date=datetime.fromisoformat(row["date"]), status=row["status"],
        reasons=tuple(json.loads(row["reasons"])), client=row["client"],
        published=bool(row["published"]), author_id=row["author_id"], source=row["source"])
