"""Fetching another site's page without SSRF (comments/fetch.py): real HTTP servers on
127.0.0.1 play the other sites (allowed only with `allow_loopback`, as tests do)."""

from __future__ import annotations

import http.server
import ipaddress
import time

import pytest

from conftest import http_server
from reflexgen.comments.fetch import Refused, fetch, public


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        port = self.server.server_address[1]
        routes = {
            "/page": (200, b"<p>Bonjour</p>"),
            "/to-page": (302, f"http://127.0.0.1:{port}/page"),
            "/to-metadata": (302, "http://169.254.169.254/latest/meta-data/"),
            "/to-private": (301, "http://10.0.0.1/"),
            "/to-file": (302, "file:///etc/passwd"),
            "/loop": (302, "/loop"),
        }
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"x" * 65536)
            return
        if self.path == "/slow-headers":  # a status line, then headers one by one, slowly
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for n in range(20):
                self.wfile.write(b"X-Slow-%d: 1\r\n" % n)
                self.wfile.flush()
                time.sleep(0.2)
            self.wfile.write(b"\r\n")
            return
        if self.path == "/slow":
            self.send_response(200)
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
            return
        status, value = routes.get(self.path, (404, b"absent"))
        self.send_response(status)
        if isinstance(value, str):
            self.send_header("Location", value)
            value = b""
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(value)))
        self.end_headers()
        self.wfile.write(value)


@pytest.fixture(scope="module")
def site():
    with http_server(Handler) as url:
        yield url


@pytest.mark.parametrize("address", [
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "169.254.169.254",
    "224.0.0.1", "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "::",
    "::ffff:127.0.0.1", "240.0.0.1", "::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::",
    "2002:a00:1::1", "::a00:1"])
def test_private_and_special_addresses_are_not_public(address):
    assert not public(ipaddress.ip_address(address))


def test_public_addresses_are():
    for address in ("93.184.216.34", "2606:4700::6810:85e5", "::ffff:93.184.216.34",
                    "64:ff9b::5db8:d822", "2002:5db8:d822::1"):
        assert public(ipaddress.ip_address(address))


def test_loopback_only_when_allowed(site):
    with pytest.raises(Refused, match="not a public address"):
        fetch(site + "/page")
    with pytest.raises(Refused, match="not a public address"):
        fetch(site.replace("127.0.0.1", "localhost") + "/page")
    found = fetch(site + "/page", allow_loopback=True)
    assert (found.status, found.body) == (200, b"<p>Bonjour</p>")


def test_every_redirect_is_checked_again(site):
    found = fetch(site + "/to-page", allow_loopback=True)
    assert found.url.endswith("/page") and found.body == b"<p>Bonjour</p>"
    for path in ("/to-metadata", "/to-private"):
        with pytest.raises(Refused, match="not a public address"):
            fetch(site + path, allow_loopback=True)
    with pytest.raises(Refused, match="not an http"):
        fetch(site + "/to-file", allow_loopback=True)
    with pytest.raises(Refused, match="redirects"):
        fetch(site + "/loop", allow_loopback=True)


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "not an http"), ("gopher://127.0.0.1:70/", "not an http"),
    ("http://user:secret@127.0.0.1/", "user name"), ("http://127.0.0.1:22/", "port 22"),
    ("http://[::1]:6379/", "port 6379|not a public"), ("http://10.0.0.1/", "not a public"),
    ("http:///nohost", "not an http"), ("http://no-such-host.invalid/", "cannot resolve")])
def test_addresses_that_are_never_fetched(url, reason):
    with pytest.raises(Refused, match=reason):
        fetch(url)


def test_size_and_time_are_capped(site):
    with pytest.raises(Refused, match="larger than"):
        fetch(site + "/huge", allow_loopback=True, max_bytes=1024 * 1024)
    # The slow page would arrive whole after 4 s: cut off by the deadline instead.
    with pytest.raises(Refused, match="too slow|timed out"):
        fetch(site + "/slow", allow_loopback=True, seconds=1)
    # Headers that come slowly, each in time for a read's timeout: the whole is cut off.
    with pytest.raises(Refused, match="too slow"):
        fetch(site + "/slow-headers", allow_loopback=True, seconds=1)
