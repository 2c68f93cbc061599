"""The intake (`reflexgen comments serve`) on a PostgreSQL store: a comment posted through
the form lands in the database; two intakes on one database lose nothing and publish each
comment once; an address out of reach stops it clearly."""

import http.client
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import yaml

from conftest import INTAKE_TOML, REPO, ServerProcess, Site, article, free_port, wait_until
from reflexgen.comments import tokens
from reflexgen.comments.postgres import PostgresStore
from reflexgen.comments.publish import NEEDS_BUILD

THREAD = "posts/a.md"


def serve(root) -> list[str]:
    return [sys.executable, "-m", "reflexgen", "comments", "serve", "--site", str(root),
            "--host", "127.0.0.1", "--port", "0", "--workers", "2"]


def test_the_intake_keeps_comments_in_postgresql(tmp_path, postgres_database):
    site = Site(tmp_path / "site").write({
        "site.toml": INTAKE_TOML + f'database = "{postgres_database}"\n',
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier")})
    server = ServerProcess(serve(site.root), "intake listening on http://")
    try:
        store = PostgresStore(postgres_database)  # made by the intake: its schema, its secret
        token = tokens.issue(store.secret(), THREAD, datetime.now(UTC) - timedelta(seconds=30))
        fields = {"thread": THREAD, "parent": "", "author": "Zoé", "email": "", "url": "",
                  "body": "Un avis posé, gardé sur PostgreSQL.", "token": token}
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("POST", "/", urlencode(fields), {
            "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "10.0.0.7"})
        response = connection.getresponse()
        assert response.status == 200, response.read()
        connection.close()
        [kept] = store.find()
        assert (kept.id, kept.status, kept.body) == ("c1", "pending", fields["body"])
        store.close()
    finally:
        server.stop_cleanly()
    assert not (site.root / "comments.sqlite3").exists()


def test_a_server_out_of_reach_stops_the_intake_with_a_clear_error(tmp_path):
    address = f"postgresql://reflexgen@127.0.0.1:{free_port()}/comments"
    site = Site(tmp_path / "site").write({
        "site.toml": INTAKE_TOML + f'database = "{address}"\n'})
    done = subprocess.run(serve(site.root), cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "cannot reach the comment database" in done.stderr and "PGPASSWORD" in done.stderr
    assert "Traceback" not in done.stderr


def test_two_intakes_on_one_database_lose_nothing_and_publish_once(tmp_path,
                                                                   postgres_database):
    """Two intake servers (on two ports, as behind a load balancer), one site folder and one
    PostgreSQL database, post-moderation: comments sent to both at once are each stored,
    published into the comment file and built exactly once."""
    site = Site(tmp_path / "site").write({
        "site.toml": INTAKE_TOML + f'database = "{postgres_database}"\nmoderation = "post"\n',
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier")})
    assert site.build().code == 0
    servers = [ServerProcess(serve(site.root)[:-2], "intake listening on http://")
               for _ in range(2)]
    store = PostgresStore(postgres_database)
    try:
        secret, issued = store.secret(), datetime.now(UTC) - timedelta(seconds=30)
        answered: dict[str, int] = {}

        def send(worker: int) -> None:
            for n in range(15):
                body = f"Commentaire {worker}-{n}, envoyé aux deux serveurs."
                server = servers[(worker + n) % 2]
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                connection.request("POST", "/", urlencode({
                    "thread": THREAD, "author": f"Lecteur {worker}", "body": body,
                    "token": tokens.issue(secret, THREAD, issued)}),
                    {"Content-Type": "application/x-www-form-urlencoded",
                                       "X-Forwarded-For": f"10.{worker}.{n}.7"})
                answered[body] = connection.getresponse().status
                connection.close()

        threads = [threading.Thread(target=send, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(answered.values()) == {200} and len(answered) == 60
        wait_until(lambda: not store.to_publish() and store.meta(NEEDS_BUILD) is None, 60)
        bodies = [c["body"].strip() for c in yaml.safe_load(
            (site.root / "content/posts/a.comments.yaml").read_text())]
        assert sorted(bodies) == sorted(answered)  # each once
        assert len(store.find()) == 60 and all(s.published for s in store.find())
        page = (site.root / "output/2024/03/premier/index.html").read_text()
        assert all(page.count(f'<p>{body}</p>') == 1 for body in answered), page[-3000:]
    finally:
        store.close()
        for server in servers:
            server.stop_cleanly()
