"""Webmention through a real intake process: other blogs are played by an HTTP server on
127.0.0.1 (allowed only by REFLEXGEN_WEBMENTION_LOOPBACK, which these tests set), the
mention verified, queued, approved, updated, withdrawn; attacks (private addresses,
redirects to them, floods) refused; and `reflexgen webmention send` notifying the pages
that articles link to, once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from test_comment_intake import Intake, client

from conftest import INTAKE_TOML, OtherSite, Site, article, http_server, wait_until
from reflexgen.comments.store import SQLiteStore

TARGET = "https://blog.example.org/2024/03/premier/"
ENTRY = """<!doctype html><html><head><title>Chez Bob</title></head><body>
<article class="h-entry"><a class="p-author h-card" href="https://bob.example/">Bob Martin</a>
<div class="e-content">{text} <a href="{target}">ce billet</a>.</div></article></body></html>"""


class OtherBlog(OtherSite):
    pages: dict[str, tuple[int, dict[str, str], str]] = {}
    received: list[dict[str, list[str]]] = []


@pytest.fixture(scope="module")
def other():
    with http_server(OtherBlog) as url:
        yield url


@pytest.fixture(scope="module")
def blog(tmp_path_factory, other):
    site = Site(tmp_path_factory.mktemp("webmention") / "site").write({
        "site.toml": INTAKE_TOML,
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier",
                                      body=f"Voir [ce billet ami]({other}/ami)."),
    })
    built = subprocess.run([sys.executable, "-m", "reflexgen", "build", "--site",
                            str(site.root)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    return site


@pytest.fixture(scope="module")
def server(blog):
    patch = pytest.MonkeyPatch()
    patch.setenv("REFLEXGEN_WEBMENTION_LOOPBACK", "1")
    running = Intake(blog.root)
    yield running
    running.stop_cleanly()
    patch.undo()


def notify(server, source: str, target: str = TARGET, who: dict | None = None):
    return server.request("POST", "/webmention", urlencode(
        {"source": source, "target": target}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", **(who or client())})


def mention(root: Path, source: str):
    store = SQLiteStore(root / "comments.sqlite3")
    try:
        return store.mention(source, "posts/a.md")
    finally:
        store.close()


def comments(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflexgen", "comments", *args, "--site",
                           str(root)], capture_output=True, text=True, timeout=120)


def test_articles_advertise_the_endpoint(blog):
    page = (blog.root / "output/2024/03/premier/index.html").read_text()
    assert '<link rel="webmention" href="https://blog.example.org/commentaires/webmention">' \
        in page


@pytest.mark.parametrize("source, target, message", [
    ("https://bob.example/p", "https://evil.example/2024/03/premier/", "not an article"),
    ("https://bob.example/p", "https://blog.example.org/nulle-part/", "not an article"),
    ("javascript:alert(1)", TARGET, "http(s)"),
    (TARGET, TARGET, "the same page"),
    ("", "", "not an article"),
])
def test_bad_notifications_are_refused_at_once(server, source, target, message):
    status, _, text = notify(server, source, target)
    assert status == 400 and message in text


def test_a_citing_page_becomes_a_mention_then_is_updated_and_withdrawn(blog, server, other):
    source = other + "/cite"
    OtherBlog.pages[source.removeprefix(other)] = (200, {}, ENTRY.format(
        text="Je cite", target=TARGET))
    status, _, text = notify(server, source)
    assert status == 202 and "accepted" in text
    wait_until(lambda: mention(blog.root, source) is not None, 15)
    found = mention(blog.root, source)
    assert (found.author, found.url, found.status, found.reasons) == (
        "Bob Martin", "https://bob.example/", "pending", ("webmention",))
    assert found.body == r"Je cite ce billet\." and found.email is None

    assert comments(blog.root, "approve", found.id).returncode == 0
    sidecar = yaml.safe_load((blog.root / "content/posts/a.comments.yaml").read_text())
    assert sidecar[0]["source"] == source
    page = (blog.root / "output/2024/03/premier/index.html").read_text()
    assert "comment--mention" in page and "a cité cet article sur" in page

    OtherBlog.pages["/cite"] = (200, {}, ENTRY.format(text="Je cite encore", target=TARGET))
    assert notify(server, source)[0] == 202
    wait_until(lambda: mention(blog.root, source).body.startswith("Je cite encore"), 15)

    OtherBlog.pages["/cite"] = (410, {}, "gone")
    assert notify(server, source)[0] == 202
    wait_until(lambda: mention(blog.root, source) is None, 15)
    wait_until(lambda: "comment--mention" not in (
        blog.root / "output/2024/03/premier/index.html").read_text(), 30)


@pytest.mark.parametrize("path, page", [
    ("/no-link", (200, {}, "<p>Rien sur ce billet.</p>")),
    ("/to-metadata", (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, "")),
    ("/to-private", (302, {"Location": "http://10.0.0.7/cite"}, "")),
])
def test_unverified_sources_leave_nothing(blog, server, other, path, page):
    OtherBlog.pages[path] = page
    assert notify(server, other + path)[0] == 202
    assert notify(server, "http://169.254.169.254/latest/meta-data/")[0] == 202
    # The queue is verified in order: a good one sent after shows that these were done.
    marker = other + "/marker" + path.replace("/", "-")
    OtherBlog.pages[marker.removeprefix(other)] = (200, {}, ENTRY.format(text="Repère",
                                                                          target=TARGET))
    assert notify(server, marker)[0] == 202
    wait_until(lambda: mention(blog.root, marker) is not None, 15)
    assert mention(blog.root, other + path) is None
    assert mention(blog.root, "http://169.254.169.254/latest/meta-data/") is None


def test_a_flood_of_notifications_is_refused(server, other):
    who = client()
    statuses = [notify(server, f"{other}/flood/{n}", who=who)[0] for n in range(12)]
    assert statuses[:10] == [202] * 10 and statuses[10:] == [429, 429]


def test_send_notifies_linked_pages_once(blog, other):
    OtherBlog.pages["/ami"] = (200, {"Link": '</their-endpoint>; rel="webmention"'},
                               "<p>Un ami</p>")
    OtherBlog.received.clear()
    env = {"REFLEXGEN_WEBMENTION_LOOPBACK": "1"}
    dry = run_send(blog, env, "--dry-run")
    assert dry.returncode == 0 and f"{other}/ami" in dry.stdout and OtherBlog.received == []
    done = run_send(blog, env)
    assert done.returncode == 0, done.stderr
    assert OtherBlog.received == [{"source": [TARGET], "target": [f"{other}/ami"]}]
    again = run_send(blog, env, "--json")
    assert again.returncode == 0 and json.loads(again.stdout) == []
    assert len(OtherBlog.received) == 1


def run_send(blog: Site, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflexgen", "webmention", "send", "--site",
                           str(blog.root), *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})
