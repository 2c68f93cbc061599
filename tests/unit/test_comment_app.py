"""The intake app called in-process (plain ASGI, no server): the paths a real server cannot
easily be pushed down (a failing store), and its headers."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import Site, article
from reflexgen.comments import defences, tokens
from reflexgen.comments.app import make_app
from reflexgen.comments.headers import attribute_hash
from reflexgen.errors import Reporter

SITE_TOML = """\
title = "Le Blog"
base_url = "https://blog.example.org"
language = "fr"
timezone = "Europe/Paris"
accent_color = "#1f3a5f"

[comments]
endpoint = "https://blog.example.org/commentaires/"
"""


def call(app, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
         ) -> tuple[int, dict[str, str], str]:
    """One request through the ASGI app: status, headers, body text."""
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": route, "raw_path": route.encode(),
             "root_path": "", "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8100)}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    # In a thread of its own: a browser test earlier in the run may hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    text = b"".join(m.get("body", b"") for m in sent[1:]).decode()
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, text


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("app") / "site"
    Site(root).write({"site.toml": SITE_TOML,
                      "content/posts/a.md": article("Premier", "2024-03-01", slug="premier")})
    return make_app(root, Reporter(verbosity=-1))


def post(app, fields: dict[str, str]):
    body = urlencode(fields).encode()
    return call(app, "POST", "/", body, {"content-type": "application/x-www-form-urlencoded",
                                          "content-length": str(len(body))})


def test_a_failing_store_answers_a_page_with_the_text(app, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(defences, "judge", broken)
    secret = app.state.intake.store.secret()
    token = tokens.issue(secret, "posts/a.md", datetime.now(UTC) - timedelta(seconds=30))
    status, headers, page = post(app, {"thread": "posts/a.md", "author": "Zoé",
                                       "body": "Mon texte gardé.", "token": token})
    assert status == 500 and "Mon texte gardé." in page and "Traceback" not in page
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_site_colour_is_the_one_inline_style_allowed(app):
    status, headers, page = call(app, "GET", "/form?thread=posts/a.md")
    assert status == 200 and 'style="--site-accent: #1f3a5f"' in page
    expected = attribute_hash("--site-accent: #1f3a5f")
    assert f"'sha256-{expected}'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]


def test_a_body_that_is_not_a_form_is_refused(app):
    status, _, page = call(app, "POST", "/", b'{"body": "x"}', {
        "content-type": "application/json", "content-length": "13"})
    assert status == 415 and "<html" in page
    status, _, page = call(app, "POST", "/", b"x", {
        "content-type": "application/x-www-form-urlencoded", "content-length": "-1"})
    assert status == 400


def test_the_intake_needs_a_site(tmp_path):
    with pytest.raises(Exception, match="site.toml"):
        make_app(Path(tmp_path), Reporter(verbosity=-1))


def test_the_intake_reads_the_site_without_building_it(app):
    root = app.state.intake.live.snapshot.config.root
    assert "posts/a.md" in app.state.intake.live.snapshot.threads
    assert not (root / "output").exists()
