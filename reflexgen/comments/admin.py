"""The moderation page: `/admin/` on the intake server, for the blogger on a phone.

    GET  /admin/             the queue (or the login form): ?status=&thread=&q=&page=
    GET  /admin/edit?id=ID   one comment: its text to edit, a reply as the article's author
    POST /admin/login        password (and TOTP code) → a session cookie
    POST /admin/logout
    POST /admin/act          approve, spam or delete the checked comments (or the one whose
                             button was pressed)
    POST /admin/edit         a new text;  POST /admin/reply   a reply as the article's author
    POST /admin/publish      publish again (after a failed build or deploy)

The pages are the site's theme (`admin.html`), hold no script and work without one. Every
POST needs a session, its CSRF token and an `Origin` of the intake itself (login: a signed
form token and the `Origin`); the session cookie is HttpOnly, SameSite=Strict, and Secure:
only a browser on this machine may log in over plain HTTP. After an action the browser is
sent back to the queue by a relative address (`./?…`) made only of checked values.
Moderation does what the command line does (`moderate`); publication is the intake's, in the
background, and its state is shown."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from reflexgen.comments import auth, defences, moderate
from reflexgen.comments.forms import Refused, read_pairs
from reflexgen.comments.publish import NEEDS_BUILD, last_publication, owe_build
from reflexgen.comments.records import Submission
from reflexgen.config.comments import origin_of
from reflexgen.errors import BuildError

COOKIE = "reflexgen_admin"
PAGE_SIZE = 50
HISTORY = 5  # a reader's earlier comments shown beside one of theirs
VIEWS = ("pending", "approved", "spam", "all")
ACTIONS = ("approve", "spam", "delete")
DONE = (*ACTIONS, "edit", "reply", "publish")  # what the queue may say was just done
MAX_SEARCH = 200
FORM_LIMIT = 16 * 1024  # a form of the page, without a comment's text
LOGIN_SALT, LOGIN_SECONDS = "reflexgen-admin-login", 3600
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
COMMENT_ID = re.compile(r"c[0-9]{1,18}")


@dataclass(frozen=True)
class Entry:
    """One comment as the queue shows it."""

    submission: Submission
    html: Markup  # its text, rendered as the site will
    article: Any  # the article's view, or None (an article since removed)
    article_url: str
    parent: Any  # the published comment it answers (its view), or None
    history: tuple[Submission, ...]  # the reader's earlier comments kept, newest first
    reasons: tuple[str, ...]  # the signals that held it, in words


def routes() -> list[Route]:
    return [Route("/admin", lambda request: RedirectResponse("admin/", 308)),
            Route("/admin/", queue, methods=["GET"]),
            Route("/admin/edit", edit_page, methods=["GET"]),
            Route("/admin/login", login, methods=["POST"]),
            Route("/admin/logout", guarded(logout), methods=["POST"]),
            Route("/admin/act", guarded(act), methods=["POST"]),
            Route("/admin/edit", guarded(edit), methods=["POST"]),
            Route("/admin/reply", guarded(reply), methods=["POST"]),
            Route("/admin/publish", guarded(publish), methods=["POST"])]


def intake_of(request: Request) -> Any:
    return request.app.state.intake


def now() -> datetime:
    return datetime.now(UTC)


def page(request: Request, mode: str, status: int = 200, message: str = "",
         **values: Any) -> HTMLResponse:
    pages = intake_of(request).live.snapshot.pages
    html = pages.admin(mode, message=pages.t(message) if message else "", **values)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})


def current_session(request: Request) -> auth.Session | None:
    intake = intake_of(request)
    return auth.session(intake.store, intake.store.secret(), request.cookies.get(COOKIE),
                        now())


def secure(request: Request) -> bool | None:
    """Whether the session cookie is `Secure`, from the scheme the browser used (its
    `Origin`: behind a proxy, the intake itself only sees plain HTTP). Plain HTTP is only
    for this machine (None elsewhere: the page refuses to log in)."""
    origin = urlsplit(request.headers.get("origin") or "")
    if origin.scheme == "https":
        return True
    return False if origin.hostname in LOCAL_HOSTS else None


def same_origin(request: Request) -> bool:
    """A POST from the intake's own pages: its `Origin` is the intake's address, as the
    request names it or as `[comments] endpoint` says (behind a proxy). Required."""
    origin = (request.headers.get("origin") or "").strip().lower()
    settings = intake_of(request).live.snapshot.config.comments
    own = {f"{request.url.scheme}://{request.headers.get('host', '')}".lower()}
    if settings.endpoint:
        own.add(origin_of(settings.endpoint))
    return origin in own


# Logging in and out ---------------------------------------------------------------------------

def login_page(request: Request, status: int = 200, message: str = "") -> HTMLResponse:
    store = intake_of(request).store
    token = URLSafeTimedSerializer(store.secret(), LOGIN_SALT).dumps("login")
    if not auth.has_password(store):
        message = message or "admin_no_password"
    return page(request, "login", status, message, login_token=token,
                needs_code=auth.needs_code(store))


async def login(request: Request) -> Response:
    intake = intake_of(request)
    store = intake.store
    if not same_origin(request):
        return page(request, "error", 403, "admin_forbidden")
    cookie_secure = secure(request)
    if cookie_secure is None:
        return page(request, "error", 403, "admin_https")
    try:
        fields = dict(reversed(await read_pairs(request, FORM_LIMIT)))
    except Refused as refused:
        return login_page(request, refused.status, refused.message)
    try:
        URLSafeTimedSerializer(store.secret(), LOGIN_SALT).loads(
            fields.get("token", ""), max_age=LOGIN_SECONDS)
    except BadSignature:
        return login_page(request, 400, "admin_expired")
    client = defences.client_of(request.client.host if request.client else "",
                                request.headers,
                                intake.live.snapshot.config.comments.trusted_proxies,
                                store.secret())
    if defences.over_limits(store, "login:" + client, auth.LOGIN_LIMITS, now()):
        return login_page(request, 429, "admin_wait")
    # argon2 takes tens of milliseconds of CPU: not on the event loop.
    async with intake.logins:
        right = await asyncio.to_thread(auth.check_login, store, fields.get("password", ""),
                                        fields.get("code", ""), now())
    if not right:
        return login_page(request, 401, "admin_wrong")
    session = auth.open_session(store, store.secret(), now())
    response = RedirectResponse("./", 303)
    response.set_cookie(COOKIE, session.token, max_age=int(auth.SESSION_LIFETIME
                                                           .total_seconds()),
                        path="/", secure=cookie_secure, httponly=True, samesite="strict")
    return response


Handler = Callable[[Request, auth.Session, list[tuple[str, str]]], Awaitable[Response]]


def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A POST handler that runs only from the intake's own page (`Origin`), in a session,
    with that session's CSRF token; `handler` gets the session and the form's fields."""
    async def checked(request: Request) -> Response:
        if not same_origin(request):
            return page(request, "error", 403, "admin_forbidden")
        session = current_session(request)
        if session is None:
            return login_page(request, 401, "admin_logged_out")
        limit = FORM_LIMIT + intake_of(request).live.snapshot.config.max_comment_kb * 1024
        try:
            pairs = await read_pairs(request, limit, max_fields=PAGE_SIZE + 16)
        except Refused as refused:
            return page(request, "error", refused.status, refused.message)
        sent = next((value for name, value in pairs if name == "csrf"), "")
        if not auth.csrf_ok(session, sent):
            return page(request, "error", 403, "admin_forbidden")
        return await handler(request, session, pairs)
    return checked


async def logout(request: Request, session: auth.Session, _: list[tuple[str, str]]
                 ) -> Response:
    auth.close_session(intake_of(request).store, session.token)
    response = RedirectResponse("./", 303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=bool(secure(request)))
    return response


# The queue -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The queue's filters, each checked (they go back into addresses)."""

    status: str = "pending"
    thread: str = ""
    search: str = ""
    number: int = 1  # the page

    @classmethod
    def read(cls, get: Callable[[str], str | None], threads: Any) -> Filters:
        status = get("status") or "pending"
        thread = get("thread") or ""
        number = get("page") or "1"
        return cls(status if status in VIEWS else "pending",
                   thread if thread in threads else "",
                   (get("q") or "").strip()[:MAX_SEARCH],
                   int(number) if number.isascii() and number.isdecimal()
                   and 0 < len(number) < 6 else 1)

    def query(self, **more: Any) -> str:
        """`./?…`: the queue with these filters (and `more`), relative: never elsewhere."""
        values = {"status": self.status, "thread": self.thread, "q": self.search,
                  "page": self.number if self.number > 1 else "", **more}
        kept = {k: v for k, v in values.items() if v not in ("", None)}
        return "./" + ("?" + urlencode(kept) if kept else "")


async def queue(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_page(request)
    intake = intake_of(request)
    snapshot = intake.live.snapshot
    filters = Filters.read(request.query_params.get, snapshot.threads)
    found = intake.store.find(
        status=None if filters.status == "all" else filters.status,
        thread=filters.thread or None, search=filters.search or None, limit=PAGE_SIZE + 1,
        offset=(filters.number - 1) * PAGE_SIZE, pending_first=filters.status == "all")
    done = request.query_params.get("done", "")
    count = request.query_params.get("count", "")
    message = ""
    if done in DONE:
        message = snapshot.pages.translator.tn(
            f"admin_done_{done}", int(count) if count.isascii() and count.isdecimal()
            and len(count) < 4 else 1)
    return page(request, "queue", entries=[entry(intake, s) for s in found[:PAGE_SIZE]],
                filters=filters, more=len(found) > PAGE_SIZE, views=VIEWS,
                threads=sorted(snapshot.threads.values(), key=lambda t: t.title.casefold()),
                publication=last_publication(intake.store),
                mail_troubles=intake.store.mail_troubles(5),
                publishing=intake.publishing(), csrf=session.csrf, done_message=message)


def entry(intake: Any, submission: Submission) -> Entry:
    snapshot = intake.live.snapshot
    pages, thread = snapshot.pages, snapshot.threads.get(submission.thread)
    parent = pages.parent_comment(thread, submission.parent) \
        if thread and submission.parent else None
    history = tuple(s for s in intake.store.history(submission.email, HISTORY + 1)
                    if s.id != submission.id)[:HISTORY] if submission.email else ()
    reasons = tuple(reason_label(pages, r) for r in submission.reasons)
    return Entry(submission, pages.comment_html(submission.body, thread.lang if thread else
                                                snapshot.config.language),
                 pages.article(submission.thread), pages.article_url(thread), parent,
                 history, reasons)


def reason_label(pages: Any, code: str) -> str:
    try:
        return pages.t(f"admin_reason_{code}")
    except KeyError:  # a reason of a newer version, or a theme without the words
        return code


# Actions -------------------------------------------------------------------------------------

def back(pairs: list[tuple[str, str]], request: Request, **done: Any) -> RedirectResponse:
    """To the queue, with the filters the form was posted from (checked again)."""
    fields = dict(reversed(pairs))
    filters = Filters.read(lambda name: fields.get("back_" + name),
                           intake_of(request).live.snapshot.threads)
    return RedirectResponse(filters.query(**done), 303)


async def act(request: Request, session: auth.Session, pairs: list[tuple[str, str]]
              ) -> Response:
    """The checked comments, or the one whose button was pressed (`one` = action:id)."""
    fields = dict(reversed(pairs))
    one = fields.get("one", "")
    if one:
        action, _, chosen = one.partition(":")
        ids = [chosen]
    else:
        action, ids = fields.get("action", ""), [v for n, v in pairs if n == "id"]
    ids = [cid for cid in dict.fromkeys(ids) if COMMENT_ID.fullmatch(cid)]
    if action not in ACTIONS or not ids:
        return back(pairs, request)
    intake = intake_of(request)
    config = intake.live.snapshot.config
    try:
        done = await asyncio.to_thread(moderation, action, config, intake, ids)
    except BuildError:
        return page(request, "error", 404, "admin_unknown")
    intake.schedule_publish(0)
    return back(pairs, request, done=action, count=done)


def moderation(action: str, config: Any, intake: Any, ids: list[str]) -> int:
    """One action on `ids` (on a thread: files may change); how many it concerned."""
    if action == "approve":
        return len(moderate.set_status(intake.store, ids, "approved"))
    if action == "spam":
        return len(moderate.mark_spam(config, intake.store, ids, intake.reporter)[0])
    return moderate.remove(config, intake.store, ids, intake.reporter)[0]


async def edit_page(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        return login_page(request)
    intake = intake_of(request)
    cid = request.query_params.get("id", "")
    submission = intake.store.get(cid) if COMMENT_ID.fullmatch(cid) else None
    if submission is None:
        return page(request, "error", 404, "admin_unknown")
    return edit_form(request, session, submission)


def edit_form(request: Request, session: auth.Session, submission: Submission,
              status: int = 200, message: str = "", text: str | None = None,
              reply_text: str = "") -> Response:
    intake = intake_of(request)
    filters = Filters.read(request.query_params.get, intake.live.snapshot.threads)
    return page(request, "edit", status, message, item=entry(intake, submission),
                csrf=session.csrf, filters=filters,
                text=submission.body if text is None else text, reply_text=reply_text,
                author=article_author(intake, submission))


def article_author(intake: Any, submission: Submission) -> tuple[str | None, str] | None:
    """Who replies as the article's author: its first author (id if they have a page)."""
    article = intake.live.snapshot.pages.article(submission.thread)
    if article is None or not article.authors:
        return None
    first = article.authors[0]
    return (first.id if first.profile else None, first.name)


def posted(request: Request, pairs: list[tuple[str, str]]
           ) -> tuple[Submission | None, str]:
    """The comment a form is about, and the text it sent (line breaks made `\\n`)."""
    fields = dict(reversed(pairs))
    cid = fields.get("id", "")
    submission = intake_of(request).store.get(cid) if COMMENT_ID.fullmatch(cid) else None
    text = fields.get("body", "").replace("\r\n", "\n").replace("\r", "\n")
    return submission, text


async def edit(request: Request, session: auth.Session, pairs: list[tuple[str, str]]
               ) -> Response:
    intake = intake_of(request)
    submission, text = posted(request, pairs)
    if submission is None:
        return page(request, "error", 404, "admin_unknown")
    trouble = defences.body_error(text, intake.live.snapshot.config)
    if trouble:  # the text is given back
        return edit_form(request, session, submission, 400, trouble, text=text)
    if text != submission.body:
        await asyncio.to_thread(moderate.change_text, intake.live.snapshot.config,
                                intake.store, submission.id, text, intake.reporter)
        if intake.store.meta(NEEDS_BUILD) is not None:
            intake.schedule_publish(0)
    return back(pairs, request, done="edit", count=1)


async def reply(request: Request, session: auth.Session, pairs: list[tuple[str, str]]
                ) -> Response:
    intake = intake_of(request)
    submission, text = posted(request, pairs)
    if submission is None:
        return page(request, "error", 404, "admin_unknown")
    author = article_author(intake, submission)
    trouble = "admin_no_author" if author is None else \
        defences.body_error(text, intake.live.snapshot.config)
    if trouble or author is None:
        return edit_form(request, session, submission, 400, trouble, reply_text=text)
    moderate.reply(intake.store, submission, author, text, now())
    intake.schedule_publish(0)
    return back(pairs, request, done="reply", count=1)


async def publish(request: Request, session: auth.Session, pairs: list[tuple[str, str]]
                  ) -> Response:
    intake = intake_of(request)
    owe_build(intake.store)  # a build even if nothing new was approved
    intake.schedule_publish(0)
    return back(pairs, request, done="publish", count=1)
