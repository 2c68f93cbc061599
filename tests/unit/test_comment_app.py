"""The intake app called in-process (plain ASGI, no server): the paths a real server cannot
easily be pushed down (a failing store), and its headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import Site, article
from conftest import asgi_call as call
from reflexgen.comments import defences, tokens
from reflexgen.comments.app import make_app
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


def test_the_site_colour_is_a_stylesheet_of_the_site_not_an_inline_style(app):
    status, headers, page = call(app, "GET", "/form?thread=posts/a.md")
    assert status == 200 and "style=" not in page and "<style" not in page
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert len(sheets) == 2 and all(re.fullmatch(
        r"https://blog\.example\.org/theme/(style|accent)\.[0-9a-f]{10}\.css", s) for s in sheets)
    policy = headers["content-security-policy"]
    assert "style-src 'self' https://blog.example.org;" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-hashes'" not in policy


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
