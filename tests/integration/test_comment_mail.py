"""The intake's mail, through a real SMTP server on 127.0.0.1 (aiosmtpd) and a real intake
process: the blogger told of each comment held, with links that change nothing until
clicked; a reader's double opt-in, then a message once their comment is on the site and one
per reply, with a one-click unsubscribe; no header injection; a failing SMTP server retried
and shown on the moderation page."""

from __future__ import annotations

import email
import socket
import sqlite3
import subprocess
import sys
import time
from email.message import Message
from email.policy import default
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from aiosmtpd.controller import Controller
from test_comment_intake import Intake, aged_token, client

from conftest import INTAKE_TOML, Site, article, wait_until
from reflexgen.comments.store import SQLiteStore

BLOGGER = "moi@blog.example.org"
OPEN = "posts/a.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    def wait_for(self, address: str, count: int = 1, seconds: float = 10) -> list[Message]:
        wait_until(lambda: len(self.to(address)) >= count, seconds)
        return self.to(address)


def text_of(message: Message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message: Message, kind: str) -> str:
    """The path and query of the intake link of `kind` in a message (the links name the
    public endpoint, https://blog.example.org/commentaires/)."""
    line = next(w for w in text_of(message).split() if f"/mail/{kind}?" in w)
    parts = urlsplit(line)
    return parts.path.removeprefix("/commentaires") + "?" + parts.query


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller
    controller.stop()


def mail_toml(port: int, **more: str) -> str:
    extra = "".join(f'{k} = "{v}"\n' for k, v in more.items())
    return (INTAKE_TOML + "\n[comments.mail]\n" f'host = "127.0.0.1"\nport = {port}\n'
            'security = "none"\nfrom = "blog@blog.example.org"\n' f'notify = "{BLOGGER}"\n'
            + extra)


@pytest.fixture(scope="module")
def blog(tmp_path_factory, smtp):
    _, controller = smtp
    site = Site(tmp_path_factory.mktemp("mail") / "site").write({
        "site.toml": mail_toml(controller.port),
        "content/authors/claire.md": '---\nname: "Claire Dumas"\n---\nBio.\n',
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier",
                                      author="claire"),
        "content/posts/b.md": article("Titre\\r\\nBcc: evil@example.org", "2024-03-02",
                                      slug="second")})
    assert subprocess.run([sys.executable, "-m", "reflexgen", "build", "--site",
                           str(site.root)], capture_output=True, timeout=120).returncode == 0
    return site


@pytest.fixture(scope="module")
def server(blog):
    running = Intake(blog.root)
    yield running
    running.stop_cleanly()


def submit(server, root: Path, body: str, email_address: str = "", notify: bool = False,
           thread: str = OPEN, parent: str = "", author: str = "Zoé"):
    fields = {"thread": thread, "parent": parent, "author": author, "email": email_address,
              "url": "", "body": body, "token": aged_token(root, thread)}
    if notify:
        fields["notify"] = "1"
    return server.post(fields, client())


def get(server, path: str):
    return server.request("GET", path)


def post(server, path: str, fields: dict[str, str], origin: str | None = "own"):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin == "own":
        headers["Origin"] = f"http://127.0.0.1:{server.port}"
    elif origin:
        headers["Origin"] = origin
    return server.request("POST", path, urlencode(fields).encode(), headers)


def stored(root: Path, text: str):
    store = SQLiteStore(root / "comments.sqlite3")
    try:
        return next(s for s in store.find() if text in s.body)
    finally:
        store.close()


def test_the_blogger_is_told_and_a_link_changes_nothing_until_clicked(blog, server, smtp):
    inbox, _ = smtp
    before = len(inbox.to(BLOGGER))
    assert submit(server, blog.root, "Un avis à modérer, envoyé par mail.")[0] == 200
    message = inbox.wait_for(BLOGGER, before + 1)[-1]
    assert message["Subject"] == "Commentaire à modérer de Zoé sur «\u00a0Premier billet\u00a0»"
    assert message["From"].addresses[0].addr_spec == "blog@blog.example.org"
    assert message["From"].addresses[0].display_name == "Le Blog"
    assert message["Auto-Submitted"] == "auto-generated" and message["Message-ID"]
    assert "Un avis à modérer, envoyé par mail." in text_of(message)
    assert "Un avis à modérer" in message.get_body(("html",)).get_content()
    approve = link_in(message, "moderate")
    status, headers, page = get(server, approve)  # what a mail scanner does
    assert status == 200 and "Approuver" in page and "Un avis à modérer" in page
    assert headers["referrer-policy"] == "no-referrer"  # the token never leaves in a Referer
    assert stored(blog.root, "Un avis à modérer").status == "pending"
    token = unquote(urlsplit(approve).query.removeprefix("t="))
    assert post(server, "/mail/moderate", {"t": token}, origin=None)[0] == 403
    assert post(server, "/mail/moderate", {"t": token}, origin="https://evil.example")[0] == 403
    assert post(server, "/mail/moderate", {"t": token[:-3] + "abc"})[0] == 404
    status, _, page = post(server, "/mail/moderate", {"t": token})
    assert status == 200 and "approuvé" in page
    assert stored(blog.root, "Un avis à modérer").status == "approved"
    status, _, _ = post(server, "/mail/moderate", {"t": token})
    assert status == 410  # used once


def test_a_reader_confirms_then_hears_of_publication_and_replies(blog, server, smtp):
    inbox, _ = smtp
    reader = "lectrice@example.org"
    assert submit(server, blog.root, "Je veux savoir qui me répond.", reader, notify=True
                  )[0] == 200
    [confirmation] = inbox.wait_for(reader)
    assert confirmation["Subject"] == "Confirmez votre adresse pour Le Blog"
    assert "List-Unsubscribe" not in confirmation
    confirm = link_in(confirmation, "confirm")
    status, _, page = get(server, confirm)
    assert status == 200 and "Confirmer mon adresse" in page
    token = unquote(urlsplit(confirm).query.removeprefix("t="))
    assert post(server, "/mail/confirm", {"t": token})[0] == 200

    mine = stored(blog.root, "Je veux savoir qui me répond.")
    done = subprocess.run([sys.executable, "-m", "reflexgen", "comments", "approve", mine.id,
                           "--site", str(blog.root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    told = inbox.wait_for(reader, 2, seconds=30)[-1]  # the intake notices within its refresh
    assert told["Subject"] == "Votre commentaire est en ligne sur «\u00a0Premier billet\u00a0»"
    assert told["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = told["List-Unsubscribe"].strip("<>")

    # A reply, once on the site, is told too: queued 10 minutes after the last message.
    assert submit(server, blog.root, "Une réponse à la lectrice.", parent=mine.id,
                  author="Paul")[0] == 200
    answer = stored(blog.root, "Une réponse à la lectrice.")
    subprocess.run([sys.executable, "-m", "reflexgen", "comments", "approve", answer.id,
                    "--site", str(blog.root)], capture_output=True, check=True)

    def queued():
        with sqlite3.connect(blog.root / "comments.sqlite3") as db:
            return db.execute("SELECT kind, due, sent FROM outbox WHERE recipient = ? "
                              "ORDER BY n", (reader,)).fetchall()
    wait_until(lambda: [k for k, _, _ in queued()] == ["confirm", "published", "reply"], 20)
    (_, _, _), (_, published_due, _), (_, reply_due, reply_sent) = queued()
    assert reply_due - published_due >= 600 and reply_sent is None

    # One click from the mail provider: a POST with no Origin.
    parts = urlsplit(unsubscribe)
    status, _, page = server.request(
        "POST", parts.path.removeprefix("/commentaires") + "?" + parts.query,
        b"List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "désabonné" in page
    store = SQLiteStore(blog.root / "comments.sqlite3")
    try:
        assert not store.address_confirmed(reader) and store.subscriber(mine.id) is None
    finally:
        store.close()


def test_an_unconfirmed_address_gets_nothing_but_the_confirmation(blog, server, smtp):
    inbox, _ = smtp
    reader = "jamais@example.org"
    submit(server, blog.root, "Je ne confirmerai pas.", reader, notify=True)
    submit(server, blog.root, "Ni cette fois.", reader, notify=True)
    inbox.wait_for(reader)
    mine = stored(blog.root, "Je ne confirmerai pas.")
    subprocess.run([sys.executable, "-m", "reflexgen", "comments", "approve", mine.id,
                    "--site", str(blog.root)], capture_output=True, check=True)
    time.sleep(12)  # longer than the intake's refresh
    assert [m["Subject"] for m in inbox.to(reader)] == ["Confirmez votre adresse pour Le Blog"]


def test_no_header_injection_from_a_title(blog, server, smtp):
    inbox, _ = smtp
    before = len(inbox.to(BLOGGER))
    assert submit(server, blog.root, "Sur le billet au titre piégé.", thread="posts/b.md"
                  )[0] == 200
    message = inbox.wait_for(BLOGGER, before + 1)[-1]
    assert message["Bcc"] is None
    assert message["X-Envelope-To"] == BLOGGER
    assert "evil@example.org" in message["Subject"]  # kept as text, folded safely


def test_a_failing_smtp_server_is_retried_and_shown(tmp_path):
    """No SMTP server at that port: the comment is kept, the failure recorded and shown."""
    site = Site(tmp_path / "site").write({
        "site.toml": mail_toml(free_port()),
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier")})
    subprocess.run([sys.executable, "-m", "reflexgen", "build", "--site", str(site.root)],
                   capture_output=True, check=True)
    running = Intake(site.root)
    try:
        assert submit(running, site.root, "Gardé malgré la panne du courrier.")[0] == 200
        store = SQLiteStore(site.root / "comments.sqlite3")
        try:
            wait_until(lambda: store.mail_troubles(5), 15)
            [(recipient, kind, attempts, error)] = store.mail_troubles(5)
            assert (recipient, kind, attempts) == (BLOGGER, "held", 1) and "Connection" in error
            assert stored(site.root, "Gardé malgré").status == "pending"
        finally:
            store.close()
    finally:
        running.stop_cleanly()


def test_a_reader_erases_their_comments_through_a_mailed_link(blog, server, smtp):
    inbox, _ = smtp
    reader = "efface-moi@example.org"
    assert submit(server, blog.root, "Un commentaire à effacer plus tard.", reader)[0] == 200
    status, _, page = get(server, "/mail/erase")
    assert status == 200 and 'name="email"' in page and 'type="email"' in page
    assert post(server, "/mail/erase", {"email": reader}, origin=None)[0] == 403
    status, _, said = post(server, "/mail/erase", {"email": reader})
    assert status == 200 and "un message vient de lui être envoyé" in said
    status, _, unknown = post(server, "/mail/erase", {"email": "inconnu@example.org"})
    assert (status, unknown) == (200, said)  # nobody learns who commented
    with sqlite3.connect(blog.root / "comments.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM outbox WHERE recipient = ?",
                          ("inconnu@example.org",)).fetchone()[0] == 0
    [message] = inbox.wait_for(reader)
    assert message["Subject"] == "Effacer vos commentaires sur Le Blog"
    link = link_in(message, "erase")
    status, _, page = get(server, link)
    assert status == 200 and "Tout effacer" in page
    assert stored(blog.root, "Un commentaire à effacer plus tard.")  # opening changed nothing
    token = unquote(urlsplit(link).query.removeprefix("t="))
    assert post(server, "/mail/erase", {"t": token}, origin="https://evil.example")[0] == 403
    status, _, page = post(server, "/mail/erase", {"t": token})
    assert status == 200 and "C’est effacé" in page
    store = SQLiteStore(blog.root / "comments.sqlite3")
    try:
        assert store.by_email(reader) == [] and store.mail_to(reader) == []
    finally:
        store.close()
