"""`reflexgen serve` over HTTP: what it serves, what it refuses, how it starts and stops."""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import sys
import time

import pytest

from conftest import Site, article

SCRIPT = b"/__reflexgen__/livereload.js"


@pytest.fixture
def blog(site: Site) -> Site:
    (site.root / "secret.txt").write_text("site secret")
    return site.write({
        "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier"),
        "content/posts/brouillon.md": article("Un brouillon", "2024-03-02", slug="brouillon",
                                              draft="true"),
    })


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_pages_get_the_script_that_the_built_site_never_has(blog, serving):
    server = serving()
    status, headers, body = server.get("/2024/03/premier/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Premier billet" in body and SCRIPT in body
    status, _, script = server.get(SCRIPT.decode())
    assert status == 200 and b"EventSource" in script
    assert blog.build().code == 0
    built = [p.read_bytes() for p in (blog.root / "output").rglob("*") if p.is_file()]
    assert built and not any(b"__reflexgen__" in data for data in built)


def test_drafts_are_shown_unless_asked_not_to(blog, serving):
    assert serving().get("/2024/03/brouillon/")[0] == 200
    assert serving("--no-drafts").get("/2024/03/brouillon/")[0] == 404


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
    "/%2e%2e%5csecret.txt", "/../site.toml", "/%2e%2e/%2e%2e/etc/passwd", "/..%00/site.toml",
    "/%00", "/etc/passwd", "//etc/passwd", "/../../../../etc/passwd",
])
def test_no_path_reaches_outside_the_built_site(blog, serving, path):
    status, _, body = serving().get(path)
    assert status in (400, 404)
    assert b"site secret" not in body and b"root:" not in body and b"title =" not in body


def test_a_link_in_the_built_site_is_not_followed_outside(blog, serving):
    server = serving()
    served = blog.root / ".reflexgen-cache/serve/site"
    (served / "leak.txt").symlink_to(blog.root / "secret.txt")
    status, _, body = server.get("/leak.txt")
    assert status == 404 and b"site secret" not in body


def test_other_hosts_are_refused(blog, serving):
    server = serving()
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.nip.io"):
        assert server.get("/", {"Host": host})[0] == 403
    assert server.get("/", {"Host": f"localhost:{server.port}"})[0] == 200
    status, headers, _ = server.get("/")
    assert "Access-Control-Allow-Origin" not in headers


def test_event_stream_is_same_origin(blog, serving):
    server = serving()
    status, _, _ = server.get("/__reflexgen__/events", {"Origin": "https://evil.example"})
    assert status == 403
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as stream:
        stream.sendall(f"GET /__reflexgen__/events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                       f"Origin: http://127.0.0.1:{server.port}\r\n\r\n".encode())
        received = b""
        while b'"type": "hello"' not in received:
            chunk = stream.recv(4096)
            assert chunk, received
            received += chunk
    assert received.startswith(b"HTTP/1.1 200") and b"text/event-stream" in received


def test_deleted_article_answers_404_and_a_new_one_appears(blog, serving):
    server = serving()
    assert server.get("/2024/03/premier/")[0] == 200
    blog.remove("content/posts/a.md")
    blog.write({"content/posts/b.md": article("Deuxième billet", "2024-03-05", slug="second")})
    wait_for(lambda: server.get("/2024/03/second/")[0] == 200)
    assert server.get("/2024/03/premier/")[0] == 404
    assert "Deuxième billet" in server.get("/")[2].decode()


def test_a_broken_file_keeps_the_last_good_site_and_the_server(blog, serving):
    server = serving()
    blog.write({"content/posts/a.md": "---\ntitle: [oops\n---\nx\n"})
    wait_for(lambda: "invalid YAML" in server.output)
    assert re.search(r"content/posts/a\.md:\d+: invalid YAML", server.output)
    assert server.get("/2024/03/premier/")[0] == 200  # the last good site
    blog.write({"content/posts/a.md": article("Premier billet réparé", "2024-03-01",
                                              slug="premier")})
    wait_for(lambda: "réparé" in server.get("/2024/03/premier/")[2].decode())


def test_port_in_use_is_a_clear_error(blog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "reflexgen", "serve", "--site",
                              str(blog.root), "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"port {port} is already in use" in run.stderr and "--port" in run.stderr
    assert "Traceback" not in run.stderr


def test_not_a_site(tmp_path):
    run = subprocess.run([sys.executable, "-m", "reflexgen", "serve", "--site", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "no site.toml" in run.stderr


def test_every_interface_is_said_aloud(blog, serving):
    assert "every network interface" in serving("--host", "0.0.0.0").output


def test_ctrl_c_stops_cleanly(blog, serving):
    server = serving()
    assert server.stop() == 0
    assert "stopped" in server.output and "Traceback" not in server.output


def rebuilt(server, count: int) -> list[int]:
    """The number of outputs each of the first `count` rebuilds rendered, once they are done."""
    wait_for(lambda: len(re.findall(r"rebuilt: (\d+) rendered", server.output)) >= count)
    return [int(n) for n in re.findall(r"rebuilt: (\d+) rendered", server.output)]


def test_an_edit_re_renders_only_what_shows_it(blog, serving):
    blog.write({f"content/posts/p{i}.md": article(f"Billet {i}", f"2023-0{i}-01", slug=f"p{i}")
                for i in range(1, 8)})
    server = serving()
    built = int(re.search(r"built: (\d+) rendered", server.output).group(1))
    blog.write({"content/posts/p3.md": article("Billet 3", "2023-03-01", "Corps changé.",
                                               slug="p3")})
    (count,) = rebuilt(server, 1)
    assert 1 <= count < built / 2  # the article and its feeds, not the site
    assert "Corps changé." in server.get("/2023/03/p3/")[2].decode()


@pytest.mark.parametrize("how", ["rename", "delete-and-recreate", "burst"])
def test_editor_save_patterns_give_one_rebuild_with_the_final_text(blog, serving, how):
    server = serving()
    path = blog.root / "content/posts/a.md"
    final = article("Premier billet", "2024-03-01", "Version finale.", slug="premier")
    if how == "rename":  # vim, JetBrains: write a temporary file, then rename it over
        temporary = path.with_name("a.md___jb_tmp___")
        temporary.write_text(final)
        temporary.replace(path)
    elif how == "delete-and-recreate":
        path.unlink()
        path.write_text(final)
    else:
        for i in range(50):
            path.write_text(article("Premier billet", "2024-03-01", f"Version {i}.",
                                    slug="premier"))
        path.write_text(final)
    wait_for(lambda: "Version finale." in server.get("/2024/03/premier/")[2].decode())
    time.sleep(0.5)  # a second rebuild, if any, would have come by now
    assert len(rebuilt(server, 1)) == 1


def test_comments_authors_and_templates_are_followed(blog, serving):
    server = serving()
    blog.write({"content/posts/a.comments.yaml":
                "- id: 1\n  author: Jean\n  date: 2024-03-02\n  body: Bravo pour ce billet.\n"})
    wait_for(lambda: "Bravo pour ce billet." in server.get("/2024/03/premier/")[2].decode())
    blog.write({"content/authors/claire.md": '---\nname: "Claire"\n---\nBio de Claire.\n',
                "content/posts/a.md": article("Premier billet", "2024-03-01", slug="premier",
                                              author="claire")})
    wait_for(lambda: "Bio de Claire." in server.get("/2024/03/premier/")[2].decode())
    blog.write({"content/authors/claire.md": '---\nname: "Claire"\n---\nNouvelle bio.\n'})
    wait_for(lambda: "Nouvelle bio." in server.get("/2024/03/premier/")[2].decode())
    blog.write({"themes/default/templates/404.html": "<p>Perdu ici.</p>"})
    wait_for(lambda: b"Perdu ici." in server.get("/nulle-part/")[2])


def test_renamed_article_moves(blog, serving):
    server = serving()
    (blog.root / "content/posts/a.md").rename(blog.root / "content/posts/renomme.md")
    blog.write({"content/posts/renomme.md": article("Premier billet", "2024-03-01",
                                                    slug="renomme")})
    wait_for(lambda: server.get("/2024/03/renomme/")[0] == 200)
    assert not (blog.root / ".reflexgen-cache/serve/site/2024/03/premier").exists()
    status, headers, _ = server.get("/2024/03/premier/")  # an open tab follows it
    assert status == 307 and headers["Location"] == "/2024/03/renomme/"


def test_polling_sees_changes_too(blog, serving):
    server = serving("--poll")
    blog.write({"content/posts/a.md": article("Premier billet", "2024-03-01", "Vu par sondage.",
                                              slug="premier")})
    wait_for(lambda: "Vu par sondage." in server.get("/2024/03/premier/")[2].decode())


def test_a_browser_leaving_mid_answer_is_not_an_error(blog, serving):
    """A reload or a closed tab cuts the connection while a page is being sent: the server
    says nothing and goes on (the fixture fails on any traceback in its output)."""
    blog.write({"content/posts/long.md": article("Long", "2024-03-03", "Un long texte. " * 200_000,
                                                 slug="long")})
    server = serving()
    for _ in range(5):
        connection = socket.create_connection(("127.0.0.1", server.port))
        connection.sendall(f"GET /2024/03/long/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
                           .encode())
        connection.recv(100)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # a reset, not a polite close
    time.sleep(0.5)
    assert server.get("/2024/03/premier/")[0] == 200


def test_an_open_page_whose_slug_changed_is_sent_to_its_new_address(blog, serving):
    server = serving()
    assert server.get("/2024/03/premier/")[0] == 200
    blog.write({"content/posts/a.md": article("Premier billet", "2024-03-01",
                                              slug="premier-billet")})
    wait_for(lambda: server.get("/2024/03/premier-billet/")[0] == 200)
    status, headers, _ = server.get("/2024/03/premier/")
    assert status == 307 and headers["Location"] == "/2024/03/premier-billet/"
    assert server.get("/2024/03/jamais-vu/")[0] == 404
    assert any("address changed from /2024/03/premier/" in line for line in server.lines)


def test_the_preview_has_search_unless_asked_not_to(blog, serving):
    server = serving()
    assert server.get("/pagefind/pagefind.js")[0] == 200
    assert server.get("/recherche/")[0] == 200
    server.stop_cleanly()
    quiet = serving("--no-search")
    assert quiet.get("/pagefind/pagefind.js")[0] == 404
    status, _, body = quiet.get("/")
    assert status == 200 and b"site-search" not in body
