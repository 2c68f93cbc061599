import os
from pathlib import Path

import pytest

from reflexgen.errors import Problem
from reflexgen.serve.server import SCRIPT_TAG, LiveSite, host_allowed, inject, locate


@pytest.mark.parametrize(("host", "bound", "expected"), [
    ("localhost:8000", "127.0.0.1", True),
    ("127.0.0.1:8000", "127.0.0.1", True),
    ("[::1]:8000", "127.0.0.1", True),
    ("localhost", "127.0.0.1", True),
    ("localhost:9999", "127.0.0.1", False),          # another port
    ("evil.example:8000", "127.0.0.1", False),       # DNS rebinding
    ("evil.example", "127.0.0.1", False),
    ("127.0.0.1.evil.example:8000", "127.0.0.1", False),
    ("192.168.1.20:8000", "127.0.0.1", False),
    ("192.168.1.20:8000", "0.0.0.0", True),          # on every interface: IP addresses
    ("[fe80::1]:8000", "::", True),
    ("evil.example:8000", "0.0.0.0", False),         # but still no DNS names
    ("", "127.0.0.1", False),
    (None, "127.0.0.1", False),
])
def test_host_allowed(host, bound, expected):
    assert host_allowed(host, 8000, bound) is expected


@pytest.fixture
def served(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "tags/x").mkdir(parents=True)
    (root / "index.html").write_text("home")
    (root / "tags/x/index.html").write_text("x")
    (root / "theme.css").write_text("body{}")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "leak.txt")
    os.symlink(tmp_path, root / "up")
    return root


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
    "/%2e%2e%5csecret.txt", "/..\\secret.txt", "/tags/../../secret.txt", "/index.html%00.css",
    "/leak.txt", "/up/secret.txt", "//secret.txt", "/nope.html",
])
def test_locate_never_leaves_the_folder(served, path):
    assert locate(served, path) == (None, False)


def test_locate_serves_files_and_folders(served):
    assert locate(served, "/") == ((served / "index.html").resolve(), False)
    assert locate(served, "/tags/x/") == ((served / "tags/x/index.html").resolve(), False)
    assert locate(served, "/tags/x") == (None, True)  # redirected to /tags/x/
    assert locate(served, "/theme.css")[0] == (served / "theme.css").resolve()


def test_inject_before_the_end_of_body():
    assert inject(b"<html><body><p>x</p></body></html>") == \
        b"<html><body><p>x</p>" + SCRIPT_TAG + b"</body></html>"
    assert inject(b"<p>fragment</p>") == b"<p>fragment</p>" + SCRIPT_TAG


def listen(live: LiveSite):
    listener = live.listen()
    return lambda: listener.get(timeout=1)


def test_stylesheets_alone_are_swapped_anything_else_reloads(tmp_path):
    live = LiveSite(tmp_path)
    message = listen(live)
    renamed = {"/theme/style.0123456789.css": "/theme/style.9876543210.css"}
    live.built(("theme/style.9876543210.css", "index.html"), {}, renamed)
    assert message() == {"type": "css", "paths": renamed, "version": 1}
    assert live.moved == renamed  # a page not reloaded yet still gets the new stylesheet
    live.built(("theme/style.9876543210.css", "index.html"))
    assert message() == {"type": "reload", "version": 2}
    live.built(())  # nothing written: nothing to tell
    assert live.version == 2


def test_problems_are_told_then_cleared_by_the_next_good_build(tmp_path):
    live = LiveSite(tmp_path)
    message = listen(live)
    live.failed([Problem("invalid YAML", Path("content/posts/a.md"), 3, "quote it")])
    told = message()
    assert told["type"] == "problems"
    assert told["problems"] == [{"file": "content/posts/a.md", "line": 3,
                                 "message": "invalid YAML", "hint": "quote it"}]
    assert live.hello()["problems"] == told["problems"]  # a page opened now shows them too
    live.built(())  # fixed, even if back to the very same bytes: the page reloads
    assert message() == {"type": "reload", "version": 1}
    assert live.hello()["problems"] == []


def test_close_ends_every_event_stream(tmp_path):
    live = LiveSite(tmp_path)
    message = listen(live)
    live.close()
    assert message() is None
