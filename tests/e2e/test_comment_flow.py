"""A reader comments, in Chromium, with JavaScript on and off: the built site served as any
host serves it, the form posting to a real intake (`reflexgen comments serve`), then the
comment approved from the command line and seen nested under its parent on the rebuilt page.
A hostile comment goes the same way with a trap on dialogs: any alert() fails the test."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from conftest import ServerProcess, Site, article, static_server

TOKEN_AGE = 3.3  # seconds: the intake refuses a form token younger than 3 s (bots are fast)
ARTICLE = "/2024/03/billet/"
COMMENTS = ("[{id: c1, author: Jean, date: 2024-03-12, body: Une première question},"
            " {id: c2, parent: c1, author: Zoé, date: 2024-03-13, body: Une réponse}]")
HOSTILE = "<img src=x onerror=alert(1)> et [clic](javascript:alert(2)) <script>alert(3)</script>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Blog:
    """The site, its static host and its intake."""

    def __init__(self, site: Site, url: str) -> None:
        self.site, self.url = site, url

    def comments(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "reflexgen", "comments", *args,
                                 "--site", str(self.site.root)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def approve(self, body_part: str) -> str:
        """Approve the pending comment whose text holds `body_part` (which publishes it: the
        sidecar written, the site rebuilt)."""
        pending = json.loads(self.comments("list", "--status", "pending", "--json"))
        ids = [c["id"] for c in pending if body_part in c["body"]]
        assert len(ids) == 1, pending
        self.comments("approve", str(ids[0]))
        return str(ids[0])


@pytest.fixture
def blog(site: Site):
    with static_server(site.root / "output") as url:
        port = free_port()
        site.write({
            "site.toml": f"""\
                title = "Le Blog"
                base_url = "{url}"
                language = "fr"
                timezone = "Europe/Paris"

                [comments]
                endpoint = "http://127.0.0.1:{port}/"
                """,
            "content/posts/billet.md": article("Billet", "2024-03-12", "Du texte.",
                                               slug="billet", comments=COMMENTS)})
        assert site.build().code == 0  # the intake reads the site; the blogger builds it
        intake = ServerProcess(
            [sys.executable, "-m", "reflexgen", "comments", "serve", "--site", str(site.root),
             "--host", "127.0.0.1", "--port", str(port)], "intake listening on http://")
        try:
            yield Blog(site, url)
        finally:
            intake.stop_cleanly()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def reader(request, browser):
    """A browser page with JavaScript on or off; any dialog (an alert from a comment) is
    recorded, and fails the test."""
    context = browser.new_context(java_script_enabled=request.param)
    page = context.new_page()
    dialogs: list[str] = []

    def trap(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", trap)
    page.js = request.param  # type: ignore[attr-defined]
    yield page
    context.close()
    assert dialogs == [], f"a comment ran script: {dialogs}"


def write(page, author: str, body: str) -> None:
    page.fill("#cf-author", author)
    page.fill("#cf-body", body)


def send(page) -> None:
    """Submit the form as a reader does; without JavaScript, confirm the intake's preview."""
    if page.js:
        time.sleep(TOKEN_AGE)  # the token comments.js asked for when the reader started
        page.click(".comment-form__submit")
        page.wait_for_selector(".comment-form__comment--sent", timeout=10_000)
        return
    page.click(".comment-form__submit")
    page.wait_for_load_state()
    if page.locator("input[name=token]").count() and "Merci" not in page.title():
        time.sleep(TOKEN_AGE)  # the preview's token, old enough now
        page.click(".comment-form__submit")
        page.wait_for_load_state()


def thanked(page) -> str:
    text = page.locator("main").inner_text()
    assert "Merci\u202f! Votre commentaire est en attente de modération." in text
    return text


def test_write_a_comment_then_see_it_approved(blog, reader):
    reader.goto(blog.url + ARTICLE)
    write(reader, "Claire", "Un *premier* avis sur ce billet.")
    send(reader)
    text = thanked(reader)
    assert "Un premier avis sur ce billet." in text  # the rendered comment is shown
    assert reader.locator("em", has_text="premier").count() == 1
    blog.approve("premier* avis")
    reader.goto(blog.url + ARTICLE)
    last = reader.locator(".comment-list > li.comment").last
    assert "Un premier avis sur ce billet." in last.inner_text()
    assert "Claire" in last.inner_text()


def test_reply_to_a_comment_and_see_it_nested_under_its_parent(blog, reader):
    reader.goto(blog.url + ARTICLE)
    reader.click("#comment-c1 .comment__reply")
    if reader.js:  # the form moved under the comment, as on WordPress
        assert reader.locator("#comment-c1 > #commentaire").count() == 1
        assert reader.locator("#cf-title").inner_text() == "Répondre à Jean"
        assert reader.input_value("input[name=parent]") == "c1"
        assert reader.evaluate("document.activeElement.id") == "cf-body"
    else:  # the intake's reply page, quoting the parent
        reader.wait_for_load_state()
        assert "En réponse à Jean" in reader.locator("main").inner_text()
        assert reader.input_value("input[name=parent]") == "c1"
    write(reader, "Claire", "Je réponds à Jean, sans détour.")
    send(reader)
    thanked(reader)
    blog.approve("sans détour")
    reader.goto(blog.url + ARTICLE)
    replies = reader.locator("#comment-c1 > .comment__replies > li.comment")
    assert "Je réponds à Jean, sans détour." in replies.last.inner_text()


def test_cancel_reply_puts_the_form_back(blog, browser):
    page = browser.new_page()
    try:
        page.goto(blog.url + ARTICLE)
        page.click("#comment-c2 .comment__reply")
        assert page.locator("#comment-c2 > #commentaire").count() == 1
        page.click(".comment-form__cancel")
        assert page.locator("#comments + #commentaire").count() == 1
        assert page.input_value("input[name=parent]") == ""
        assert page.locator("#cf-title").inner_text() == "Laisser un commentaire"
        assert page.evaluate("document.activeElement.getAttribute('data-parent')") == "c2"
        assert page.locator(".comment-form__cancel").is_hidden()
    finally:
        page.close()


def test_the_draft_is_kept_across_a_reload_until_it_is_sent(blog, browser):
    page = browser.new_page()
    try:
        page.goto(blog.url + ARTICLE)
        page.click("#comment-c1 .comment__reply")
        page.fill("#cf-author", "Claire")
        page.locator("#cf-body").press_sequentially("Un brouillon à ne pas perdre.")
        page.reload()
        assert page.input_value("#cf-author") == "Claire"
        assert page.input_value("#cf-body") == "Un brouillon à ne pas perdre."
        assert page.locator("#comment-c1 > #commentaire").count() == 1  # still a reply
        assert "brouillon a été restauré" in page.inner_text("#cf-status")
        page.focus("#cf-body")
        time.sleep(TOKEN_AGE)
        page.click(".comment-form__submit")
        page.wait_for_selector(".comment-form__comment--sent", timeout=10_000)
        page.reload()
        assert page.input_value("#cf-body") == ""
        assert page.evaluate("localStorage.length") == 0
    finally:
        page.close()


def test_sent_at_once_the_comment_comes_back_to_confirm(blog, page):
    """Quicker than the token allows (as a bot would be): the intake's preview, in place."""
    page.goto(blog.url + ARTICLE)
    write(page, "Claire", "Un avis **vite** écrit.")
    page.click(".comment-form__submit")
    page.wait_for_selector(".comment-form__comment", timeout=10_000)
    assert "Vérifiez-le, puis confirmez" in page.inner_text("#cf-status")
    assert page.locator(".comment-form__comment strong").inner_text() == "vite"
    assert page.locator(".comment-form__comment--sent").count() == 0
    time.sleep(TOKEN_AGE)
    page.click(".comment-form__submit")
    page.wait_for_selector(".comment-form__comment--sent", timeout=10_000)
    assert "en attente de modération" in page.inner_text("#cf-status")


def test_a_field_error_is_shown_in_place_and_the_text_kept(blog, page):
    page.goto(blog.url + ARTICLE)
    write(page, "Claire", "Un avis signé d’une adresse douteuse.")
    page.fill("#cf-url", "javascript:alert(1)")  # a valid URL for the browser, not for us
    time.sleep(TOKEN_AGE)
    page.click(".comment-form__submit")
    page.wait_for_function("document.getElementById('cf-url-error').textContent.trim()",
                           timeout=10_000)
    assert page.get_attribute("#cf-url", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "cf-url"
    assert page.input_value("#cf-body") == "Un avis signé d’une adresse douteuse."
    assert page.inner_text("#cf-status")  # the intake's message, in the live region


def test_a_hostile_comment_is_shown_as_text_everywhere(blog, reader):
    reader.goto(blog.url + ARTICLE)
    write(reader, "Mallory", HOSTILE)
    send(reader)
    thanked(reader)
    assert reader.locator("main img[src=x], main a[href^='javascript']").count() == 0
    blog.approve("onerror")
    reader.goto(blog.url + ARTICLE)
    comment = reader.locator(".comment-list > li.comment").last
    assert "Mallory" in comment.inner_text()
    assert comment.locator("img, script, a[href^='javascript']").count() == 0
    assert "<img src=x onerror=alert(1)>" in comment.inner_text()
    if reader.js:
        reader.evaluate("document.querySelectorAll('.comment__body a').forEach(a => a.click())")
