"""`reflexgen comments migrate --to postgresql://…`: a populated SQLite store copied into an
empty PostgreSQL database, ids kept, then the site run on PostgreSQL."""

from datetime import UTC, datetime, timedelta

from conftest import Site, cli
from reflexgen.comments.postgres import PostgresStore
from reflexgen.comments.records import Draft
from reflexgen.comments.store import SQLiteStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SITE = 'title = "Le Blog"\nbase_url = "https://blog.example.org"\n[comments]\n'


def draft(body, parent=None, email="zoe@example.org"):
    return Draft("posts/a.md", parent, "Zoé", email, None, body, "hmac")


def populate(store: SQLiteStore) -> None:
    for n in range(1, 19):
        store.add(draft(f"Avis {n}", parent="c1" if n > 1 else None),
                  ("pending", "approved", "spam")[n % 3], ("links",) if n % 3 == 2 else (),
                  NOW + timedelta(minutes=n))
    store.delete(["c18"])  # the newest: its id must not come back either
    store.mark_published(["c1", "c4"])  # approved: 1, 4, 7…; spam: 2, 5…; pending: 3, 6…
    store.claim_notified("c1")
    store.add_session("session-digest", NOW + timedelta(hours=1))
    store.queue_mail("zoe@example.org", "reply", b"\x00binary\xff", NOW)
    store.queue_mail("paul@example.org", "confirm", b"hello", NOW)
    store.confirm_address("zoe@example.org", NOW)
    store.subscribe("c1", "zoe@example.org", NOW)
    store.count_hits("client:a", (timedelta(hours=1),), NOW)
    store.use_nonce("used", NOW + timedelta(hours=2), NOW)
    store.set_meta("password", "$argon2id$…")


def test_migrate_copies_everything_and_ids_go_on(tmp_path, postgres_database):
    site = Site(tmp_path / "site").write({"site.toml": SITE})
    lite = SQLiteStore(site.root / "comments.sqlite3")
    populate(lite)
    secret = lite.secret()
    before = lite.find()
    lite.close()

    run = cli("comments", "migrate", "--to", postgres_database, "--site", str(site.root))
    assert run.code == 0, run.stderr
    assert "copied 17 comment(s)" in run.stderr
    assert f'database = "{postgres_database}"' in run.stderr

    store = PostgresStore(postgres_database)
    assert store.find() == before  # ids, statuses, reasons, dates, publication
    assert [s.id for s in store.to_notify()] == ["c4"]
    assert store.secret() == secret  # form tokens and sessions stay valid
    assert store.session_expires("session-digest", NOW) == NOW + timedelta(hours=1)
    assert [m[1:] for m in store.claim_mail(NOW, 10)] == [
        ("zoe@example.org", b"\x00binary\xff", 0), ("paul@example.org", b"hello", 0)]
    assert store.subscriber("c1") == "zoe@example.org" and store.trusted("zoe@example.org")
    assert store.count_hits("client:a", (timedelta(hours=1),), NOW) == (2,)
    assert not store.use_nonce("used", NOW + timedelta(hours=2), NOW)
    assert store.meta("password") == "$argon2id$…"
    assert store.add(draft("Nouveau"), "pending", (), NOW).id == "c19"
    store.queue_mail("x@example.org", "reply", b"x", NOW)
    assert max(n for n, *_ in store.claim_mail(NOW, 10)) == 3
    store.close()

    # The site on PostgreSQL: the moderation commands read the copy.
    site.write({"site.toml": SITE + f'database = "{postgres_database}"\n'})
    listed = cli("comments", "list", "--status", "all", "--site", str(site.root))
    assert listed.code == 0 and "18 comment(s)" in listed.stderr


def test_migrate_refuses_a_database_that_is_not_empty(tmp_path, postgres_database):
    site = Site(tmp_path / "site").write({"site.toml": SITE})
    lite = SQLiteStore(site.root / "comments.sqlite3")
    lite.add(draft("Un avis"), "pending", (), NOW)
    lite.close()
    store = PostgresStore(postgres_database)
    store.add(draft("Déjà là"), "approved", (), NOW)
    store.close()
    run = cli("comments", "migrate", "--to", postgres_database, "--site", str(site.root))
    assert run.code == 1 and "is not empty (it has submissions)" in run.stderr
    assert "Traceback" not in run.stderr
    store = PostgresStore(postgres_database)
    assert [s.body for s in store.find()] == ["Déjà là"]  # nothing was copied
    store.close()


def test_migrate_wants_a_postgresql_address(tmp_path):
    site = Site(tmp_path / "site").write({"site.toml": SITE})
    SQLiteStore(site.root / "comments.sqlite3").close()
    run = cli("comments", "migrate", "--to", "other.sqlite3", "--site", str(site.root))
    assert run.code == 1 and "not a PostgreSQL address" in run.stderr
    assert not (site.root / "other.sqlite3").exists()
