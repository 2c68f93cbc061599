"""What the PostgreSQL store must do beyond the shared store tests (test_comment_store.py
runs those on both engines): several processes and connections at once, clear errors."""

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from reflexgen.comments.postgres import PostgresStore
from reflexgen.comments.records import Draft
from reflexgen.comments.schema import SCHEMA_TABLE, SCHEMA_VERSION
from reflexgen.comments.store import SQLiteStore, open_store
from reflexgen.errors import BuildError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = (timedelta(hours=1),)


def draft(body="Bonjour"):
    return Draft("posts/a.md", None, "Zoé", "zoe@example.org", None, body, "hmac")


def _write_from_process(address, k, secrets):
    store = PostgresStore(address)  # the schema made by several processes at once
    secrets.put(store.secret())
    for i in range(20):
        store.add(draft(f"{k}-{i}"), "pending", (), NOW)
        store.count_hits("flood", HOUR, NOW)
    store.use_nonce("shared", NOW + timedelta(hours=1), NOW)
    store.close()


def test_processes_write_at_once_and_never_share_an_id(postgres_database):
    context = multiprocessing.get_context("spawn")
    secrets = context.Queue()
    workers = [context.Process(target=_write_from_process, args=(postgres_database, k, secrets))
               for k in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert len({secrets.get(timeout=5) for _ in workers}) == 1
    store = PostgresStore(postgres_database)
    ids = [s.id for s in store.find()]
    assert len(ids) == len(set(ids)) == 60
    assert store.count_hits("flood", HOUR, NOW) == (61,)
    assert not store.use_nonce("shared", NOW + timedelta(hours=1), NOW)
    assert store.add(draft(), "pending", (), NOW).id == "c61"
    store.close()


def test_ids_are_never_reused_after_delete(postgres_database):
    store = PostgresStore(postgres_database)
    store.add(draft("a"), "pending", (), NOW)
    store.add(draft("b"), "pending", (), NOW)
    assert store.delete(["c2"]) == 1
    store.close()
    store = PostgresStore(postgres_database)
    assert store.add(draft("c"), "pending", (), NOW).id == "c3"
    store.close()


def test_a_claimed_message_is_skipped_not_waited_for(postgres_database):
    first, second = PostgresStore(postgres_database), PostgresStore(postgres_database)
    for n in range(4):
        first.queue_mail(f"r{n}@example.org", "reply", b"x", NOW)
    with ThreadPoolExecutor(1) as other, first.atomic():  # its claim not committed yet
        mine = first.claim_mail(NOW, 2)
        theirs = other.submit(second.claim_mail, NOW, 2).result(timeout=10)
    assert {m[0] for m in mine}.isdisjoint(m[0] for m in theirs)
    assert len(mine) == len(theirs) == 2
    assert second.claim_mail(NOW + timedelta(seconds=1), 10) == []
    first.close()
    second.close()


def test_senders_in_two_connections_never_claim_the_same_message(postgres_database):
    stores = [PostgresStore(postgres_database) for _ in range(2)]
    for n in range(200):
        stores[0].queue_mail(f"r{n}@example.org", "reply", b"x", NOW)
    claimed: list[int] = []
    lock = threading.Lock()

    def send(store):
        while batch := store.claim_mail(NOW, 3):
            with lock:
                claimed.extend(n for n, *_ in batch)
            for n, *_ in batch:
                store.mail_sent(n, NOW)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, stores * 2))
    assert len(claimed) == len(set(claimed)) == 200
    for store in stores:
        store.close()


def test_writes_in_atomic_are_unseen_until_the_commit(postgres_database):
    store, other = PostgresStore(postgres_database), PostgresStore(postgres_database)
    with ThreadPoolExecutor(1) as reader:
        with store.atomic():
            store.count_hits("client:a", HOUR, NOW)
            store.add(draft(), "spam", ("honeypot",), NOW)
            assert reader.submit(other.find).result(timeout=10) == []
        assert len(reader.submit(other.find).result(timeout=10)) == 1
        with pytest.raises(RuntimeError), store.atomic():
            store.add(draft("Autre"), "pending", (), NOW)
            raise RuntimeError("the judge failed")
    assert len(other.find()) == 1
    assert other.count_hits("client:a", HOUR, NOW) == (2,)
    store.close()
    other.close()


def test_text_with_a_nul_is_refused_clearly(postgres_database):
    store = PostgresStore(postgres_database)  # SQLite keeps it: test_comment_store.py
    with pytest.raises(ValueError, match="NUL"):
        store.add(draft("a\0b"), "pending", (), NOW)
    assert store.find() == []
    store.close()


def test_the_tables_have_the_same_columns_on_both_engines(postgres_database, tmp_path):
    lite = SQLiteStore(tmp_path / "c.sqlite3")
    store = PostgresStore(postgres_database)
    tables = [row[0] for row in lite._db().execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")]
    for table in tables:
        wanted = [row[1] for row in lite._db().execute(f"PRAGMA table_info({table})")]
        got = [row[0] for row in store._db().execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", (table,))]
        assert got == wanted, table
    assert store._db().execute(f"SELECT version FROM {SCHEMA_TABLE}").fetchall() == [
        (SCHEMA_VERSION,)]
    lite.close()
    store.close()


def test_a_newer_schema_is_a_clear_error(postgres_database):
    PostgresStore(postgres_database).close()
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute(f"UPDATE {SCHEMA_TABLE} SET version = version + 1")
    with pytest.raises(BuildError, match="newer than this reflexgen"):
        PostgresStore(postgres_database)


def test_a_server_out_of_reach_or_a_wrong_address_is_a_clear_error(postgres_server, tmp_path):
    from conftest import free_port

    nowhere = f"postgresql://zoe:hunter2@127.0.0.1:{free_port()}/comments"
    with pytest.raises(BuildError) as info:
        open_store(nowhere, tmp_path)
    message = str(info.value)
    assert "cannot reach the comment database" in message and "[comments] database" in message
    assert "hunter2" not in message and "zoe:***@127.0.0.1" in message
    missing = postgres_server.address.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(BuildError, match="no_such_database"):
        open_store(missing, tmp_path)
    with pytest.raises(BuildError, match="mysql:// is not an engine"):
        open_store("mysql://localhost/comments", tmp_path)
    assert list(tmp_path.iterdir()) == []  # no SQLite file made for a server's address


def test_one_publisher_at_a_time_across_connections(postgres_database):
    first, second = PostgresStore(postgres_database), PostgresStore(postgres_database)
    order: list[str] = []
    entered = threading.Event()

    def publish_later() -> None:
        entered.wait(10)
        with second.publishing():
            order.append("second")

    other = threading.Thread(target=publish_later)
    other.start()
    with first.publishing():
        entered.set()
        other.join(0.5)  # it waits for the lock: still running
        order.append("first")
        assert other.is_alive()
    other.join(10)
    assert order == ["first", "second"]
    first.close()
    second.close()
