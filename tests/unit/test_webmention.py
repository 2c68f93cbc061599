"""Webmention's pieces (comments/webmention.py): which article a target names, what a citing
page says, endpoint discovery; other blogs are played by HTTP servers on 127.0.0.1."""

from __future__ import annotations

import pytest

from conftest import OtherSite, http_server
from reflexgen.comments.fetch import Fetched, Refused
from reflexgen.comments.threads import ThreadInfo
from reflexgen.comments.webmention import (
    check_source,
    discover,
    external_links,
    read,
    thread_of,
    verify,
)

TARGET = "https://blog.example.org/2024/03/premier/"
THREADS = {"posts/a.md": ThreadInfo("posts/a.md", "/2024/03/premier/", "Premier", "fr", True)}
ENTRY = """<!doctype html><html><head><title>Chez Bob</title></head><body>
<article class="h-entry">
  <a class="p-author h-card" href="https://bob.example/">Bob Martin</a>
  <div class="e-content">Je cite <a href="{target}">ce billet</a> : *très* juste.</div>
</article></body></html>"""


def page(body: str, url: str = "https://bob.example/post") -> Fetched:
    return Fetched(url, 200, "text/html", body.encode())


def test_the_target_must_be_an_article_of_this_site():
    base = "https://blog.example.org"
    assert thread_of(TARGET, base, THREADS).source == "posts/a.md"
    assert thread_of("https://blog.example.org/2024/03/premier", base, THREADS) is not None
    assert thread_of("https://BLOG.example.org/2024/03/premier/#c3", base, THREADS) is not None
    for other in ("https://evil.example/2024/03/premier/", "https://blog.example.org/",
                  "ftp://blog.example.org/2024/03/premier/", "/2024/03/premier/", ""):
        assert thread_of(other, base, THREADS) is None
    sub = {"posts/a.md": ThreadInfo("posts/a.md", "/2024/03/premier/", "P", "fr", True)}
    assert thread_of("https://x.org/blog/2024/03/premier/", "https://x.org/blog/", sub)


def test_the_source_must_be_another_web_page():
    assert check_source("https://bob.example/post", TARGET) is None
    assert check_source("javascript:alert(1)", TARGET)
    assert check_source("file:///etc/passwd", TARGET)
    assert check_source(TARGET + "#x", TARGET)


def test_a_citing_h_entry_gives_author_and_escaped_text():
    mention = read(page(ENTRY.format(target=TARGET)), "https://bob.example/post", TARGET)
    assert (mention.author, mention.author_url) == ("Bob Martin", "https://bob.example/")
    assert mention.text == r"Je cite ce billet : \*très\* juste\."


def test_a_page_that_does_not_link_is_no_mention():
    other = ENTRY.format(target="https://blog.example.org/2024/03/autre/")
    assert read(page(other), "https://bob.example/post", TARGET) is None
    text_only = "<p>https://blog.example.org/2024/03/premier/ cité sans lien</p>"
    assert read(page(text_only), "https://bob.example/post", TARGET) is None
    assert read(page(""), "https://bob.example/post", TARGET) is None


def test_without_microformats_the_title_and_host_stand_in():
    plain = f'<html><head><title>Un titre</title></head><body><a href="{TARGET}">x</a></body>'
    mention = read(page(plain, "https://carol.example/p"), "https://carol.example/p", TARGET)
    assert (mention.author, mention.text) == ("carol.example", "Un titre")
    relative = '<a href="../2024/03/premier/">x</a>'
    assert read(page(relative, "https://blog.example.org/x/"), "https://blog.example.org/x/",
                TARGET) is not None  # links are read as the browser would


def test_hostile_markup_is_text():
    hostile = ENTRY.format(target=TARGET).replace(
        "très", '<script>alert(1)</script><img src=x onerror=alert(2)>[a](javascript:x)')
    mention = read(page(hostile), "https://bob.example/post", TARGET)
    assert "<" not in mention.text.replace("\\<", "") and "](" not in mention.text


class Blog(OtherSite):
    pages: dict[str, tuple[int, dict[str, str], str]] = {
        "/header": (200, {"Link": '<https://hub.example/>; rel="hub", </wm?a=1>; '
                          'rel="webmention"'}, "<p>x</p>"),
        "/link": (200, {}, '<html><head><link rel="webmention" href="/endpoint"></head></html>'),
        "/anchor": (200, {}, '<a href="/x">x</a><a rel="nofollow webmention" href="/a-wm">w</a>'),
        "/none": (200, {}, "<p>rien</p>"),
        "/cites": (200, {}, ENTRY.format(target=TARGET)),
        "/gone": (410, {}, "gone"),
    }
    received: list[dict[str, list[str]]] = []


@pytest.fixture(scope="module")
def other_blog():
    with http_server(Blog) as url:
        yield url


def test_discovery_in_the_spec_s_order(other_blog):
    assert discover(other_blog + "/header", allow_loopback=True) == other_blog + "/wm?a=1"
    assert discover(other_blog + "/link", allow_loopback=True) == other_blog + "/endpoint"
    assert discover(other_blog + "/anchor", allow_loopback=True) == other_blog + "/a-wm"
    assert discover(other_blog + "/none", allow_loopback=True) is None
    with pytest.raises(Refused):  # cannot be read now: not "no endpoint", tried again later
        discover(other_blog + "/header")  # (loopback refused outside tests)
    with pytest.raises(Refused, match="404"):
        discover(other_blog + "/absent", allow_loopback=True)


def test_verify_fetches_the_source(other_blog):
    assert verify(other_blog + "/cites", TARGET, allow_loopback=True).author == "Bob Martin"
    assert verify(other_blog + "/gone", TARGET, allow_loopback=True) is None
    assert verify(other_blog + "/none", TARGET, allow_loopback=True) is None


def test_external_links_of_an_article():
    body = ('<p><a href="https://bob.example/a#x">a</a> <a href="/interne/">b</a> '
            '<a href="https://blog.example.org/autre/">c</a> <a href="mailto:x@y">d</a> '
            '<a href="https://bob.example/a">again</a></p>')
    assert external_links(body, TARGET, "https://blog.example.org") == ["https://bob.example/a"]
