"""`Store` on a PostgreSQL server (psycopg 3), for intakes on several machines: the
statements are `SQLStore`'s; this module gives them connections and transactions.

A connection per thread, in autocommit: a read is its own short transaction, a write
(`_write`, `atomic`) an explicit one. No writer lock as SQLite needs: PostgreSQL locks rows,
ids come from identity columns (never given twice), and senders claim mail with `FOR UPDATE
SKIP LOCKED`."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from reflexgen.comments.schema import MIGRATIONS, POSTGRES, SCHEMA_TABLE, SCHEMA_VERSION
from reflexgen.comments.store import PURGE_BATCH, SQLiteStore, SQLStore, newer_schema
from reflexgen.errors import BuildError, Problem

CONNECT_TIMEOUT = 10  # seconds: a server that does not answer is an error, not a hang
MIGRATION_LOCK = 0x7265666C6578  # an advisory lock: one process at a time migrates
PUBLISH_LOCK = MIGRATION_LOCK + 1  # and one publishes
HINT = ("check [comments] database in site.toml (postgresql://user@host:port/name), that the "
        "server is running and the database exists, and the password (PGPASSWORD or ~/.pgpass)")


class PostgresStore(SQLStore):
    """`Store` in a PostgreSQL database, shared by threads, processes and machines."""

    dialect = POSTGRES

    def __init__(self, address: str) -> None:
        self.address = address
        self.shown = shown(address)
        self._local = threading.local()
        self._opened: list[psycopg.Connection[Any]] = []
        self._inherited: list[Any] = []  # a forked parent's: kept, never closed, never used
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._secret = None
        try:
            self._migrate()
        except psycopg.Error as exc:
            self.close()
            raise BuildError(Problem(
                f"cannot use the comment database {self.shown}: {one_line(exc)}",
                hint=HINT)) from None

    def _db(self) -> Connection:
        if os.getpid() != self._pid:  # forked: the parent's connections are not ours
            self._inherited += [self._local, self._opened]
            self._local, self._opened, self._pid = threading.local(), [], os.getpid()
            self._lock = threading.Lock()
        db: Connection | None = getattr(self._local, "db", None)
        if db is None or db.connection.broken or db.connection.closed:
            db = self._local.db = Connection(self._connect())
            with self._lock:
                self._opened.append(db.connection)
        return db

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.address, autocommit=True, row_factory=row_maker,
                                   connect_timeout=CONNECT_TIMEOUT,
                                   application_name="reflexgen comments")
        except psycopg.Error as exc:
            raise BuildError(Problem(
                f"cannot reach the comment database {self.shown}: {one_line(exc)}",
                hint=HINT)) from None

    @contextmanager
    def _transaction(self, db: Connection) -> Iterator[None]:
        with db.connection.transaction():
            yield

    @contextmanager
    def publishing(self) -> Iterator[None]:
        """A session advisory lock, held by this thread's connection while it publishes."""
        db = self._db()
        db.execute("SELECT pg_advisory_lock(?)", (PUBLISH_LOCK,))
        try:
            yield
        finally:
            db.execute("SELECT pg_advisory_unlock(?)", (PUBLISH_LOCK,))

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            db.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL)")
            row = db.execute(f"SELECT version FROM {SCHEMA_TABLE}").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise BuildError(Problem(f"cannot use the comment database {self.shown}: "
                                         f"{newer_schema(version)}"))
            for number in range(version, SCHEMA_VERSION):
                for statement in self.dialect.render(MIGRATIONS[number]):
                    db.execute(statement)
            if version != SCHEMA_VERSION:
                db.execute(f"DELETE FROM {SCHEMA_TABLE}")
                db.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", (SCHEMA_VERSION,))

    def copy_from(self, source: SQLiteStore) -> dict[str, int]:
        """Copy every table of an SQLite store into this one, which must be empty, in one
        transaction, ids kept (the next ones follow the highest ever given there): how many
        rows each table had."""
        read = source._db()
        tables = [row[0] for row in read.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY rowid")]
        copied: dict[str, int] = {}
        with self._write() as db:
            filled = [table for table in tables
                      if db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()]
            if filled:
                raise BuildError(Problem(
                    f"{self.shown} is not empty (it has {', '.join(filled)}): nothing was "
                    "copied", hint="migrate into a new, empty database (`createdb NAME`)"))
            for table in tables:
                rows = read.execute(f"SELECT * FROM {table}")
                columns = [column[0] for column in rows.description]
                insert = (f"INSERT INTO {table} ({', '.join(columns)}) "
                          f"VALUES ({', '.join('?' * len(columns))})")
                copied[table] = 0
                while batch := [tuple(row) for row in rows.fetchmany(PURGE_BATCH)]:
                    db.executemany(insert, batch)
                    copied[table] += len(batch)
            given = dict(read.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
            for table, column in db.execute(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE "
                    "is_identity = 'YES' AND table_schema = current_schema()").fetchall():
                last = given.get(table, 0)
                db.execute("SELECT setval(pg_get_serial_sequence(?, ?), ?, ?)",
                           (table, column, max(last, 1), last > 0))
        return copied

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._lock:
            for connection in self._opened:
                connection.close()
            self._opened.clear()
        self._local = threading.local()


class Connection:
    """A psycopg connection that takes the store's `?` placeholders (as sqlite3 does)."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, query: str, values: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        if any(isinstance(value, str) and "\0" in value for value in values):
            # The intake refuses it before (`defences.BODY_BAD`): said here as a ValueError.
            raise ValueError("PostgreSQL keeps no NUL character (U+0000) in text")
        return self.connection.execute(placeholders(query), values)

    def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(placeholders(query), rows)


@functools.lru_cache(maxsize=256)
def placeholders(query: str) -> str:
    """`?` as psycopg's `%s` (the statements have no `?` or `%` of their own)."""
    return query.replace("%", "%%").replace("?", "%s")


class Row(tuple[Any, ...]):
    """A row read by position or by column name, as `sqlite3.Row`."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return super().__getitem__(self.names[key] if isinstance(key, str) else key)


def row_maker(cursor: Any) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row
    return make


def shown(address: str) -> str:
    """The address without its password (for messages)."""
    parts = urlsplit(address)
    if parts.password is None:
        return address
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
