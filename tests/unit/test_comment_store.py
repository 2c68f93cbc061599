import multiprocessing
import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from reflexgen.comments import store as store_module
from reflexgen.comments.records import Draft
from reflexgen.comments.store import SCHEMA_VERSION, SQLiteStore, Store, body_digest
from reflexgen.errors import BuildError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MINUTE, HOUR = (timedelta(minutes=1),), (timedelta(hours=1),)


def draft(body="Bonjour", thread="posts/a.md", author="Zoé", email="zoe@example.org",
          parent=None):
    return Draft(thread, parent, author, email, "https://zoe.example.org", body, "hmac")


@pytest.mark.sqlite_only
def test_sqlite_store_is_a_store(comment_store):
    assert isinstance(comment_store, SQLiteStore)
    checked: Store = comment_store  # the type checker's view: SQLiteStore fits the protocol
    assert checked.find() == []


def test_add_and_get(comment_store):
    first = comment_store.add(draft(), "pending", ("links",), NOW)
    second = comment_store.add(draft("Re", parent="c1"), "approved", (), NOW + timedelta(seconds=1))
    assert (first.id, second.id) == ("c1", "c2")
    got = comment_store.get("c1")
    assert got == first
    assert (got.thread, got.author, got.email, got.url, got.body, got.status, got.reasons,
            got.client, got.published) == ("posts/a.md", "Zoé", "zoe@example.org",
                                           "https://zoe.example.org", "Bonjour", "pending",
                                           ("links",), "hmac", False)
    assert got.date == NOW and got.date.tzinfo is not None
    assert comment_store.get("c2").parent == "c1"
    for missing in ("c3", "1", "x1", "c", "c1 OR 1=1", "c٣", "c" + "9" * 40):
        assert comment_store.get(missing) is None


def test_a_naive_time_is_refused(comment_store):
    with pytest.raises(ValueError, match="time zone"):
        comment_store.add(draft(), "pending", (), datetime(2026, 3, 1))


def test_unknown_status_is_refused(comment_store):
    with pytest.raises(ValueError, match="unknown status"):
        comment_store.add(draft(), "published", (), NOW)
    with pytest.raises(ValueError):
        comment_store.find(status="'; DROP TABLE submissions; --")


def test_find_filters_newest_first(comment_store):
    comment_store.add(draft("un"), "pending", (), NOW)
    comment_store.add(draft("deux", thread="posts/b.md"), "spam", (), NOW)
    comment_store.add(draft("trois 100%_sûr"), "pending", (), NOW)
    assert [s.id for s in comment_store.find()] == ["c3", "c2", "c1"]
    assert [s.id for s in comment_store.find(status="pending")] == ["c3", "c1"]
    assert [s.id for s in comment_store.find(thread="posts/b.md")] == ["c2"]
    assert [s.id for s in comment_store.find(search="DEUX")] == ["c2"]
    assert [s.id for s in comment_store.find(search="100%_")] == ["c3"]
    assert [s.id for s in comment_store.find(search="%")] == ["c3"]  # a % sign, not a wildcard
    assert [s.id for s in comment_store.find(search="_")] == ["c3"]
    assert comment_store.find(search="' OR 1=1 --") == []
    assert [s.id for s in comment_store.find(search="example.org", status="spam")] == ["c2"]


def test_hostile_text_is_stored_exactly(comment_store):
    body = "'); DROP TABLE submissions; --\n---\n!!python/object:os.system\na: &x [*x]\n\0é"
    if not isinstance(comment_store, SQLiteStore):  # PostgreSQL refuses NUL (test_postgres)
        body = body.replace("\0", "")
    saved = comment_store.add(draft(body, author="Robert'); --"), "pending", (), NOW)
    got = comment_store.get(saved.id)
    assert got.body == body and got.author == "Robert'); --"
    assert len(comment_store.find()) == 1


def test_status_edit_delete(comment_store):
    for text in ("a", "b", "c"):
        comment_store.add(draft(text), "pending", (), NOW)
    changed = comment_store.set_status(["c1", "c3", "c9", "nope"], "approved")
    assert [(s.id, s.status) for s in changed] == [("c1", "approved"), ("c3", "approved")]
    edited = comment_store.edit("c2", "nouveau texte")
    assert edited.body == "nouveau texte" and comment_store.get("c2").body == "nouveau texte"
    with pytest.raises(KeyError):
        comment_store.edit("c9", "x")
    assert comment_store.delete(["c2", "c9", "zz"]) == 1
    assert comment_store.get("c2") is None


def test_ids_are_never_reused_after_delete(tmp_path):
    path = tmp_path / "comments.sqlite3"
    comment_store = SQLiteStore(path)
    comment_store.add(draft("a"), "pending", (), NOW)
    comment_store.add(draft("b"), "pending", (), NOW)
    assert comment_store.delete(["c2"]) == 1  # the newest: a plain rowid would come back
    comment_store.close()
    comment_store = SQLiteStore(path)
    assert comment_store.add(draft("c"), "pending", (), NOW).id == "c3"
    comment_store.delete(["c1", "c3"])
    assert comment_store.add(draft("d"), "pending", (), NOW).id == "c4"
    comment_store.close()


def test_publication_queue(comment_store):
    comment_store.add(draft("a"), "approved", (), NOW)
    comment_store.add(draft("b"), "pending", (), NOW)
    comment_store.add(draft("c"), "approved", (), NOW)
    assert [s.id for s in comment_store.to_publish()] == ["c1", "c3"]
    comment_store.mark_published(["c1"])
    assert [s.id for s in comment_store.to_publish()] == ["c3"]
    assert comment_store.get("c1").published and comment_store.get("c1").status == "approved"


def test_persistence_across_reopen(tmp_path):
    path = tmp_path / "comments.sqlite3"
    comment_store = SQLiteStore(path)
    comment_store.add(draft(), "pending", (), NOW)
    secret = comment_store.secret()
    comment_store.count_hits("k", HOUR, NOW)
    assert comment_store.use_nonce("n1", NOW + timedelta(hours=2), NOW)
    comment_store.close()
    again = SQLiteStore(path)
    assert again.get("c1").body == "Bonjour"
    assert again.secret() == secret and len(secret) == 32
    assert again.count_hits("k", HOUR, NOW + timedelta(minutes=1)) == (2,)
    assert not again.use_nonce("n1", NOW + timedelta(hours=2), NOW + timedelta(minutes=1))
    again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_each_site_has_its_own_secret(tmp_path):
    one, two = SQLiteStore(tmp_path / "a.sqlite3"), SQLiteStore(tmp_path / "b.sqlite3")
    assert one.secret() != two.secret()
    one.close()
    two.close()


def test_a_newer_or_damaged_database_is_a_clear_error(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(BuildError) as info:
        SQLiteStore(newer)
    assert "newer than this reflexgen" in str(info.value) and "newer.sqlite3" in str(info.value)
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BuildError, match="damaged.sqlite3"):
        SQLiteStore(damaged)


def test_count_hit_counts_within_the_window(comment_store):
    counts = [comment_store.count_hits("ip", MINUTE, NOW + timedelta(seconds=10 * i))[0]
              for i in range(6)]
    assert counts == [1, 2, 3, 4, 5, 6]
    assert comment_store.count_hits("ip", MINUTE, NOW + timedelta(seconds=75)) == (5,)  # 20-50, 75
    assert comment_store.count_hits("other", MINUTE, NOW) == (1,)
    assert comment_store.count_hits("ip", MINUTE, NOW + timedelta(hours=1)) == (1,)


@pytest.mark.sqlite_only
def test_one_hit_counts_in_every_window(comment_store):
    windows = (timedelta(minutes=1), timedelta(hours=1))
    for i in range(3):
        comment_store.count_hits("ip", windows, NOW - timedelta(minutes=30) + timedelta(seconds=i))
    assert comment_store.count_hits("ip", windows, NOW) == (1, 4)
    assert comment_store.count_hits("ip", windows, NOW + timedelta(seconds=1)) == (2, 5)
    assert comment_store.count_hits("ip", windows, NOW + timedelta(minutes=31)) == (1, 3)
    with sqlite3.connect(comment_store.path) as db:  # one row a hit, kept for the longest
        expires = db.execute("SELECT max(expires - at), count(*) FROM hits").fetchone()
    assert expires == (3600, 6)


def test_use_nonce_is_single_use(comment_store):
    later = NOW + timedelta(hours=2)
    assert comment_store.use_nonce("abc", later, NOW)
    assert not comment_store.use_nonce("abc", later, NOW + timedelta(seconds=5))
    assert comment_store.use_nonce("def", later, NOW)


def test_seen_finds_the_threads_of_recent_duplicates(comment_store):
    comment_store.add(draft("Très  bien dit !"), "pending", (), NOW)
    day = NOW - timedelta(days=1)
    assert comment_store.seen(body_digest("très bien DIT !"), day) == {"posts/a.md"}
    assert comment_store.seen(body_digest("Très bien dit !"), NOW + timedelta(1)) == set()
    assert comment_store.seen(body_digest("Autre chose"), day) == set()


def test_a_flood_turns_its_clients_pending_into_spam(comment_store):
    kept = comment_store.add(draft("Un avis"), "pending", (), NOW)
    flooded = comment_store.add(replace(draft("Achetez"), client="bot"), "pending", (), NOW)
    assert comment_store.flag_flood("bot", NOW - timedelta(minutes=1)) == 1
    assert comment_store.get(flooded.id).status == "spam"
    assert comment_store.get(flooded.id).reasons == ("flood",)
    assert comment_store.get(kept.id).status == "pending"


def test_body_digest_ignores_case_accents_and_spacing():
    assert body_digest("Élégant\n\n  TEXTE") == body_digest("elegant texte")
    assert body_digest("un") != body_digest("deux")


def test_purge(comment_store):
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    comment_store.add(draft("vieux spam"), "spam", (), old)
    comment_store.add(draft("spam récent"), "spam", (), recent)
    comment_store.add(draft("vieux mais bon"), "pending", (), old)
    comment_store.count_hits("k", MINUTE, NOW - timedelta(minutes=2))
    comment_store.use_nonce("n", NOW - timedelta(seconds=1), NOW - timedelta(hours=2))
    assert comment_store.purge(NOW) == 1
    assert [s.id for s in comment_store.find()] == ["c3", "c2"]
    assert comment_store.count_hits("k", HOUR, NOW) == (1,)  # the expired hit is gone
    assert comment_store.use_nonce("n", NOW + timedelta(hours=1), NOW)  # pruned: usable again
    assert comment_store.purge(NOW, spam_days=1) == 1


def test_threads_write_at_once(comment_store):
    errors = []

    def write(k):
        try:
            for i in range(25):
                comment_store.add(draft(f"{k}-{i}"), "pending", (), NOW)
                comment_store.count_hits("flood", HOUR, NOW)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    found = comment_store.find()
    assert len(found) == 100 and len({s.id for s in found}) == 100
    assert comment_store.count_hits("flood", HOUR, NOW) == (101,)


def _write_from_process(path, k):
    comment_store = SQLiteStore(path)
    for i in range(20):
        comment_store.add(draft(f"{k}-{i}"), "pending", (), NOW)
        comment_store.count_hits("flood", HOUR, NOW)
    comment_store.use_nonce("shared", NOW + timedelta(hours=1), NOW)
    comment_store.close()


def test_processes_write_at_once(tmp_path):
    path = tmp_path / "comments.sqlite3"
    SQLiteStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_from_process, args=(path, k)) for k in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    comment_store = SQLiteStore(path)
    assert len({s.id for s in comment_store.find()}) == 60
    assert comment_store.count_hits("flood", HOUR, NOW) == (61,)
    assert not comment_store.use_nonce("shared", NOW + timedelta(hours=1), NOW)
    comment_store.close()


def test_secret_is_the_same_for_every_process_that_asks_first(tmp_path):
    path = tmp_path / "comments.sqlite3"
    stores = [SQLiteStore(path) for _ in range(3)]
    assert len({s.secret() for s in stores}) == 1
    for s in stores:
        s.close()


@pytest.mark.sqlite_only
def test_a_flood_stores_no_more_hits_than_the_cap(comment_store, monkeypatch):
    monkeypatch.setattr("reflexgen.comments.store.MAX_HITS", 10)
    counts = [comment_store.count_hits("flood", HOUR, NOW)[0] for _ in range(25)]
    assert counts == list(range(1, 11)) + [10] * 15
    with sqlite3.connect(comment_store.path) as db:
        assert db.execute("SELECT count(*) FROM hits").fetchone()[0] == 10


@pytest.mark.sqlite_only
def test_atomic_keeps_all_the_writes_or_none(comment_store, tmp_path):
    window = MINUTE
    with comment_store.atomic():
        assert comment_store.count_hits("client:a", window, NOW) == (1,)
        comment_store.add(draft(), "spam", ("honeypot",), NOW)
        # Another connection does not see them before the commit.
        other = sqlite3.connect(tmp_path / "comments.sqlite3")
        assert other.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0
        other.close()
    assert [s.status for s in comment_store.find()] == ["spam"]
    with pytest.raises(RuntimeError), comment_store.atomic():
        comment_store.count_hits("client:a", window, NOW)
        comment_store.add(draft("Autre"), "pending", (), NOW)
        raise RuntimeError("the judge failed")
    assert len(comment_store.find()) == 1
    assert comment_store.count_hits("client:a", window, NOW) == (2,)  # the lost hit is not counted


def test_reparent_and_unpublish(comment_store):
    parent = comment_store.add(draft("Parent"), "approved", (), NOW)
    reply = comment_store.add(draft("Réponse", parent=parent.id), "pending", (), NOW)
    other = comment_store.add(draft("Ailleurs", thread="posts/b.md", parent=parent.id),
                              "pending", (), NOW)
    comment_store.mark_published([parent.id])
    assert comment_store.reparent("posts/a.md", parent.id, None) == 1
    assert comment_store.get(reply.id).parent is None
    assert comment_store.get(other.id).parent == parent.id  # another thread's is not touched
    comment_store.mark_published([parent.id], published=False)
    assert [s.id for s in comment_store.to_publish()] == [parent.id]


@pytest.mark.sqlite_only
def test_duplicates_and_floods_are_found_through_an_index(comment_store):
    db = comment_store._db()
    for query, args in [("SELECT DISTINCT thread FROM submissions WHERE digest = ? AND "
                         "date >= ?", ("d", "2026")),
                        ("SELECT n FROM submissions WHERE client = ? AND date >= ?",
                         ("hmac", "2026"))]:
        plan = " ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + query, args))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        assert "SCAN" not in plan, plan


def test_a_writer_waits_its_turn_behind_another_process(tmp_path):
    """The kernel queues writers (a lock file): a process holding it delays the others'
    writes, which go on once it is released."""
    store = SQLiteStore(tmp_path / "comments.sqlite3")
    marker = tmp_path / "released"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, pathlib, time\n"
         f"h = os.open({str(tmp_path / 'comments.sqlite3-lock')!r}, os.O_RDWR)\n"
         "fcntl.flock(h, fcntl.LOCK_EX); print('held', flush=True); time.sleep(0.5)\n"
         f"pathlib.Path({str(marker)!r}).touch(); fcntl.flock(h, fcntl.LOCK_UN)\n"
         "time.sleep(5)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        added = store.add(draft(), "pending", (), NOW)  # waits for the holder
        assert marker.exists()  # it came after the release, not before
        assert store.get(added.id) is not None
    finally:
        holder.kill()
        holder.wait()
        store.close()


@pytest.mark.sqlite_only
def test_purge_deletes_in_short_transactions(comment_store, monkeypatch):
    monkeypatch.setattr(store_module, "PURGE_BATCH", 2)
    old = NOW - timedelta(days=31)
    for n in range(5):
        comment_store.add(draft(f"vieux spam {n}"), "spam", (), old)
    comment_store.add(draft("gardé"), "pending", (), old)
    for n in range(3):
        comment_store.use_nonce(f"n{n}", NOW - timedelta(seconds=1), NOW - timedelta(hours=2))
    transactions = []
    writer = comment_store._writer

    def counted():
        transactions.append(1)
        return writer()

    monkeypatch.setattr(comment_store, "_writer", counted)
    assert comment_store.purge(NOW) == 5
    assert [s.body for s in comment_store.find()] == ["gardé"]
    # spam 2, 2, 1; hits none; nonces 2, 1; sessions none; client hashes 1; mail none
    assert len(transactions) == 3 + 1 + 2 + 1 + 1 + 1


def test_purge_forgets_old_client_hashes_and_old_mail(comment_store):
    old = comment_store.add(draft("Un vieil avis"), "approved", (), NOW - timedelta(days=31))
    new = comment_store.add(draft("Un avis récent"), "approved", (), NOW - timedelta(days=2))
    comment_store.queue_mail("a@example.org", "reply", b"ancien", NOW - timedelta(days=31))
    comment_store.queue_mail("b@example.org", "reply", b"en attente", NOW - timedelta(days=31))
    comment_store.queue_mail("c@example.org", "reply", b"recent", NOW - timedelta(days=1))
    [(first, *_), _] = comment_store.claim_mail(NOW - timedelta(days=31), 2)
    comment_store.mail_sent(first, NOW - timedelta(days=31))
    comment_store.purge(NOW)
    assert comment_store.get(old.id).client == "" and comment_store.get(new.id).client == "hmac"
    assert comment_store.mail_to("a@example.org") == []  # sent long ago
    assert len(comment_store.mail_to("b@example.org")) == 1  # still to be sent
    assert len(comment_store.mail_to("c@example.org")) == 1


def test_erase_address_leaves_nothing_about_it(comment_store):
    comment_store.add(draft("Un avis", email="Zoe@Example.org"), "approved", (), NOW)
    comment_store.add(draft("Un autre", email="zoe@example.org"), "spam", (), NOW)
    kept = comment_store.add(draft("Pas le sien", email="paul@example.org"), "approved", (),
                             NOW)
    comment_store.confirm_address("zoe@example.org", NOW)
    comment_store.subscribe("c1", "zoe@example.org", NOW)
    comment_store.queue_mail("zoe@example.org", "reply", b"x", NOW)
    assert comment_store.erase_address("ZOE@example.org") == 2
    assert comment_store.by_email("zoe@example.org") == []
    assert not comment_store.address_confirmed("zoe@example.org")
    assert comment_store.mail_to("zoe@example.org") == [] and comment_store.subscriber("c1") is None
    assert comment_store.get(kept.id) is not None


def test_mentions_are_found_by_source_and_sent_ones_remembered(comment_store):
    cited = replace(draft("Un billet qui vous cite"), source="https://bob.example/p")
    kept = comment_store.add(cited, "pending", ("webmention",), NOW)
    assert comment_store.mention("https://bob.example/p", "posts/a.md") == kept
    assert comment_store.get(kept.id).source == "https://bob.example/p"
    assert comment_store.mention("https://bob.example/p", "posts/b.md") is None
    assert comment_store.mention("https://bob.example/autre", "posts/a.md") is None
    assert not comment_store.was_sent("https://blog/a/", "https://bob.example/p")
    comment_store.record_sent("https://blog/a/", "https://bob.example/p", "", 0, NOW)
    comment_store.record_sent("https://blog/a/", "https://bob.example/p", "https://e/", 202, NOW)
    assert comment_store.was_sent("https://blog/a/", "https://bob.example/p")
    assert not comment_store.was_sent("https://blog/b/", "https://bob.example/p")


def test_forget_meta_only_forgets_the_value_it_was_given(comment_store):
    comment_store.set_meta("publish.needs-build", "a")
    assert not comment_store.forget_meta("publish.needs-build", "b")
    assert comment_store.meta("publish.needs-build") == "a"
    assert comment_store.forget_meta("publish.needs-build", "a")
    assert comment_store.meta("publish.needs-build") is None


def test_search_ignores_case_and_on_sqlite_accents(comment_store):
    """SQLite folds case and accents itself; PostgreSQL's ILIKE folds case as the database's
    locale says (the tests' server uses C: ASCII only) and keeps accents."""
    comment_store.add(replace(draft("Une ÉCOLOGIE de la sobriété"), author="Élodie"),
                      "pending", (), NOW)
    sqlite = isinstance(comment_store, SQLiteStore)
    found = ["écologie", "ÉLODIE", "SOBRIÉTÉ", "ecologie", "elodie"] if sqlite else []
    for words in ["une ÉCOLOGIE", "sobriété", "Élodie", *found]:
        assert [s.id for s in comment_store.find(search=words)] == ["c1"], words


def test_an_address_is_found_and_erased_in_any_case(comment_store):
    comment_store.add(draft("Von Müller", email="MÜLLER@example.de"), "approved", (), NOW)
    comment_store.queue_mail("Müller@example.de", "reply", b"x", NOW)
    sqlite = isinstance(comment_store, SQLiteStore)
    # SQLite folds every letter; PostgreSQL as the database's locale does (C here: ASCII).
    asked = "müller@EXAMPLE.de" if sqlite else "MÜLLER@example.DE"
    assert [s.body for s in comment_store.by_email(asked)] == ["Von Müller"]
    assert len(comment_store.mail_to(asked)) == (1 if sqlite else 0)
    assert comment_store.erase_address(asked) == 1
    assert comment_store.by_email("MÜLLER@example.de") == []


def test_a_comment_is_told_once_and_a_mark_taken_once(comment_store):
    comment_store.add(draft(), "approved", (), NOW)
    comment_store.mark_published(["c1"])
    assert [s.id for s in comment_store.to_notify()] == ["c1"]
    assert comment_store.claim_notified("c1") and not comment_store.claim_notified("c1")
    assert comment_store.to_notify() == []
    assert comment_store.swap_meta("mail.digest", None, "3")
    assert not comment_store.swap_meta("mail.digest", None, "4")
    assert not comment_store.swap_meta("mail.digest", "2", "4")
    assert comment_store.swap_meta("mail.digest", "3", "4")
    assert comment_store.meta("mail.digest") == "4"


def test_a_confirmation_waits_alone(comment_store):
    """While one confirmation to an address waits, no other is queued (a flood of requests
    never piles messages up for a victim); notifications are spaced instead."""
    assert comment_store.queue_mail("v@example.org", "confirm", b"1", NOW, MINUTE[0], once=True)
    assert not comment_store.queue_mail("v@example.org", "confirm", b"2", NOW, MINUTE[0],
                                        once=True)
    assert comment_store.queue_mail("w@example.org", "confirm", b"3", NOW, MINUTE[0], once=True)
    [(n, *_)] = comment_store.claim_mail(NOW, 1)
    comment_store.mail_sent(n, NOW)
    assert comment_store.queue_mail("v@example.org", "confirm", b"4", NOW, MINUTE[0], once=True)
    assert len(comment_store.mail_to("v@example.org")) == 2
