"""The configuration the build writes for nginx and Caddy, run by the real servers (Debian's
nginx and Caddy, started by the tests on 127.0.0.1 as the current user) in front of the demo
blog: caching per kind, the security headers, the 404 page, the server's own files kept
private, precompressed copies, old URLs, and comments posted through the proxy to a real
comment intake."""

from __future__ import annotations

import gzip
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import (
    CADDY,
    NGINX,
    REPO,
    ServerProcess,
    article,
    built_demo,
    free_port,
    site_store,
    start_caddy,
    start_nginx,
)
from reflexgen.comments import tokens
from reflexgen.site import caching

ARTICLE = "/2021/03/cookies-tiers-la-fin-d-un-monde-pas-la-fin-du-pistage/"
SITE = "https://reflexions.example.org"


def needed(program: str) -> None:
    if not Path(program).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{program} is missing: ./dev test installs it")
        pytest.skip(f"needs {program} (./dev test installs it)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo blog, precompressed, with an old URL, its intake on a free port."""
    root = tmp_path_factory.mktemp("hosting") / "site"
    settings = (REPO / "site.toml").read_text(encoding="utf-8")
    settings = settings.replace('endpoint = "https://reflexions.example.org/commentaires/"',
                                'endpoint = "https://reflexions.example.org/commentaires/"\n'
                                'trusted_proxies = ["127.0.0.1"]')
    settings += f'\n[hosting]\nprecompress = ["gzip"]\nintake = "127.0.0.1:{free_port()}"\n'
    built_demo(root, {"site.toml": settings,
                      "content/posts/2020/ancien.md": article(
                          "Un ancien billet", "2020-01-01", slug="ancien",
                          aliases='["/?p=12", "/ancien-billet/"]')})
    return root


@pytest.fixture(scope="module", params=["nginx", "caddy"])
def server(request, demo, tmp_path_factory):
    needed(NGINX if request.param == "nginx" else CADDY)
    folder = tmp_path_factory.mktemp(request.param)
    output = demo / "output"
    running = start_nginx(output, folder, f"include {output / 'redirects.nginx.conf'};") \
        if request.param == "nginx" else start_caddy(output, folder)
    running.name = request.param
    yield running
    running.stop()
    assert "[emerg]" not in running.output and "[crit]" not in running.output, running.output


def security(demo: Path) -> dict[str, str]:
    """The headers `_headers` gives every path: the same in the three files."""
    text = (demo / "output/_headers").read_text()
    block = text.split("\n/*\n", 1)[1].split("\n/", 1)[0]
    return dict(line.strip().split(": ", 1) for line in block.splitlines())


def fragment(demo: Path) -> str:
    return "/" + next((demo / "output/pagefind/fragment").iterdir()).relative_to(
        demo / "output").as_posix()


@pytest.mark.parametrize("path, rel, content_type", [
    ("/", "index.html", "text/html"),
    (ARTICLE, ARTICLE.strip("/") + "/index.html", "text/html"),
    ("/feed.xml", "feed.xml", "xml"),
    ("/tags/publicite/feed.xml", "tags/publicite/feed.xml", "xml"),
    ("/feed.xsl", "feed.xsl", "text/xsl"),
    ("/abonnements.opml", "abonnements.opml", "opml"),
    ("/sitemap.xml", "sitemap.xml", "xml"),
    ("", "theme/style.*.css", "text/css"),  # content-named: found by its pattern
    ("", "theme/search.*.js", "javascript"),
    ("/pagefind/pagefind.js", "pagefind/pagefind.js", "javascript"),
    ("/images/logo.svg", "images/logo.svg", "image/svg+xml"),
    ("FRAGMENT", "", ""),
])
def test_each_kind_of_file_gets_its_caching_and_the_security_headers(demo, server, path, rel,
                                                                      content_type):
    if path == "FRAGMENT":
        path = fragment(demo)
        rel = path.lstrip("/")
    elif "*" in rel:
        [found] = (demo / "output").glob(rel)
        rel = found.relative_to(demo / "output").as_posix()
        path = "/" + rel
    status, headers, body = server.get(path)
    assert status == 200, (server.name, path)
    assert body == (demo / "output" / rel).read_bytes()
    assert headers["cache-control"] == caching.kind(rel).cache_control, (server.name, path)
    for name, value in security(demo).items():
        assert headers[name.lower()] == value, (server.name, path, name)
    assert "strict-transport-security" not in headers  # the host's decision
    assert content_type in headers.get("content-type", ""), (server.name, path)
    if rel.endswith(".html"):
        assert headers["link"] == f'<{SITE}/commentaires/webmention>; rel="webmention"'
    else:
        assert "link" not in headers


def test_the_policy_names_the_site_alone(demo):
    policy = security(demo)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy


@pytest.mark.parametrize("path", ["/nulle-part/", "/theme/absent.css", "/2021/03/x"])
def test_a_missing_page_gets_the_404_page(demo, server, path):
    status, headers, body = server.get(path)
    assert status == 404
    assert body == (demo / "output/404.html").read_bytes()
    assert headers["content-security-policy"] == security(demo)["Content-Security-Policy"]
    assert headers["cache-control"] == caching.Kind.PAGE.cache_control


@pytest.mark.parametrize("name", ["reflexgen.nginx.conf", "reflexgen.caddy",
                                  "redirects.nginx.conf", "_headers", "_redirects",
                                  "reflexgen.nginx.conf.gz"])
def test_the_server_files_are_not_served(demo, server, name):
    status, _, body = server.get("/" + name)
    assert status == 404
    assert body == (demo / "output/404.html").read_bytes()


def test_a_precompressed_copy_is_sent_as_it_is(demo, server):
    """The copy the build wrote beside a page (here, one this test writes, to tell it from
    the page): sent with Content-Encoding to a browser that takes gzip, never compressed on
    the fly, and the page itself to one that does not."""
    page = demo / "output/a-propos/index.html"
    marker = b"<!DOCTYPE html><title>la copie compressee</title>"
    (page.parent / "index.html.gz").write_bytes(gzip.compress(marker))
    status, headers, body = server.get("/a-propos/", {"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert gzip.decompress(body) == marker
    assert headers["cache-control"] == caching.Kind.PAGE.cache_control
    assert headers["content-type"].startswith("text/html")
    status, headers, body = server.get("/a-propos/")
    assert status == 200 and "content-encoding" not in headers
    assert body == page.read_bytes()


def test_old_urls_lead_to_the_new_ones(server):
    status, headers, body = server.get("/ancien-billet/")
    if server.name == "nginx":  # the map of redirects.nginx.conf, query strings too
        assert status == 301 and headers["location"].endswith("/2020/01/ancien/")
        assert headers["x-content-type-options"] == "nosniff"  # the 301 has its headers
        assert "content-security-policy" in headers
        status, headers, _ = server.get("/?p=12")
        assert status == 301 and headers["location"].endswith("/2020/01/ancien/")
    else:  # the redirect page the build wrote, as on any host
        assert status == 200 and b'url=/2020/01/ancien/"' in body


@pytest.fixture(scope="module")
def intake(demo):
    port = int((demo / "site.toml").read_text().rsplit("127.0.0.1:", 1)[1].split('"')[0])
    running = ServerProcess([sys.executable, "-m", "reflexgen", "comments", "serve", "--site",
                             str(demo), "--host", "127.0.0.1", "--port", str(port)],
                            "intake listening on http://")
    yield running
    running.stop_cleanly()


def thread_of(demo: Path) -> str:
    page = (demo / "output" / ARTICLE.strip("/") / "index.html").read_text()
    return re.search(r'name="thread" value="([^"]+)"', page).group(1)


def test_a_comment_goes_through_the_proxy_to_the_intake(demo, server, intake):
    thread = thread_of(demo)
    store = site_store(demo)
    try:
        token = tokens.issue(store.secret(), thread, datetime.now(UTC) - timedelta(seconds=30))
    finally:
        store.close()
    text = f"Un commentaire passé par {server.name}, bien reçu."
    form = urlencode({"thread": thread, "parent": "", "author": "Zoé", "email": "", "url": "",
                      "body": text, "token": token}).encode()
    status, headers, body = server.get("/commentaires/", {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": SITE,
        "X-Forwarded-For": f"10.9.{len(server.name)}.7"}, "POST", form)
    assert status == 200, body.decode()
    assert "en attente de modération" in body.decode()
    # The intake's own headers, not the site's: no framing, nothing cached.
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "," not in headers["content-security-policy"]  # one policy, not the site's too
    assert "public" not in headers.get("cache-control", "")
    store = site_store(demo)
    try:
        assert [s.status for s in store.find() if s.body == text] == ["pending"]
    finally:
        store.close()
    # The reply page, a GET under the endpoint, with the path the intake expects.
    status, _, body = server.get(f"/commentaires/form?thread={thread}&parent=")
    assert status == 200 and b'name="token"' in body


def test_the_proxy_refuses_a_body_larger_than_the_intake_reads(server, intake):
    status, _, _ = server.get("/commentaires/", {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": SITE}, "POST",
        b"body=" + b"x" * (200 * 1024))
    assert status == 413

