"""The comment intake as an ASGI app (Starlette): readers' comments in, refusals out.

The app answers at its own root, whatever path it is mounted under (a reverse proxy that
strips the endpoint's path, or `starlette.routing.Mount`): every link it writes to itself
is relative (`./`), every other link is derived from the site (an article's address), never
from the request.

    GET  /form?thread=SRC[&parent=ID]   the comment or reply page (the no-JavaScript path)
    POST /                              a submission: a page, or JSON with Accept: application/json
    OPTIONS /                           CORS preflight (only for `allowed_origins`)
    /admin/…                            the moderation page (see admin.py)
    /mail/…                             the pages behind the links in mail (see links.py)
    POST /webmention                    other blogs citing an article (see mentions.py)

Every input is hostile: the body's size is capped before it is read, the form is turned into
fields in one place (`forms.read_form`), and the checks themselves are the defences' (see
`defences.judge`). A submission is judged and stored on the event loop itself: a few SQLite
statements in one transaction (WAL, no fsync at each commit), well under a millisecond, where
handing it to a thread cost more than the work (the GIL and the wake-ups: 630 spam requests a
second against 940). What may take long runs on threads: opening and purging the store
(`Intake.db`), publication (a build, a deploy).
"""

from __future__ import annotations

import asyncio
import os
import threading
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from reflexgen.build import build
from reflexgen.comments import admin, defences, links, mentions, outbox, tokens
from reflexgen.comments.forms import Refused, read_form
from reflexgen.comments.headers import SecurityHeaders, origin_allowed
from reflexgen.comments.mail import DIGEST, Mailer, announce_published
from reflexgen.comments.pages import FormData, Pages
from reflexgen.comments.publish import NEEDS_BUILD, Builder, publish
from reflexgen.comments.records import Submission
from reflexgen.comments.site import LiveSite, SiteReader
from reflexgen.config.comments import origin_of, request_limit
from reflexgen.errors import Problem, Reporter

PUBLISH_DELAY = 3.0  # seconds: approvals arriving meanwhile are published in one build
REFRESH_SECONDS = 10.0  # how often the intake looks for a changed site
PURGE_SECONDS = 24 * 3600
LOGINS_AT_ONCE = 2
JSON_TYPE = "application/json"
# Refusals that lead to the preview page instead (see tokens): no token, or one too young.
PREVIEW_REASONS = frozenset({tokens.MISSING, tokens.TOO_FAST})
RATE_REASONS = frozenset({"rate_client", "rate_email"})


@dataclass(frozen=True)
class Answer:
    """What the intake says to one request, before it becomes a page or JSON."""

    status: int
    mode: str  # the page: form, preview, thanks, received (spam, unsaid) or error
    outcome: str  # for JSON: pending, approved, received, preview, rejected or error
    message: str = ""  # a key of the theme's strings
    errors: dict[str, str] = field(default_factory=dict)  # field name → text (translated)
    form: FormData = FormData()
    comment_html: Markup = Markup()  # sanitized (see Pages.comment_html)
    token: str = ""
    thread: Any = None  # ThreadInfo
    parent: Any = None  # the quoted comment's view


class Intake:
    """What the handlers share: the settings and site as last read (`live`), the store, and
    a thread for its long tasks (`db`). Publication and rebuilds run on threads of their
    own: a build or a deploy never holds a submission up."""

    def __init__(self, live: LiveSite, reporter: Reporter, builder: Builder = build) -> None:
        self.live = live
        self.builder = builder  # how publication builds the site
        self.reporter = reporter
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-db")
        self.store: Any = None
        self._publishing: asyncio.Task | None = None
        self._again = False  # asked to publish while a publication ran
        # argon2 takes 64 MiB and tens of milliseconds a try: a few at once, whatever comes.
        self.logins = asyncio.Semaphore(LOGINS_AT_ONCE)
        self._owed = False  # the last publication failed: tried again at the next refresh
        self._one_publisher = threading.Lock()
        self._trouble = ""  # the last refresh's error, said once
        self._announcing = threading.Lock()  # the publisher's thread and the refresh's
        self.mentions: asyncio.Queue = asyncio.Queue(mentions.QUEUE)  # Webmentions to verify

    @property
    def mailer(self) -> Mailer | None:
        """The site's mail, if `[comments.mail]` is set (made for the site as it is now)."""
        snapshot = self.live.snapshot
        settings = snapshot.config.comments.mail
        if settings is None or self.store is None:
            return None
        return Mailer(snapshot.config, settings, snapshot.pages, self.store)

    def announce(self) -> None:
        """Tell readers of their comments and replies on the site: only once the site is
        built with them (no build owed)."""
        mailer = self.mailer
        if mailer is not None and self.store.meta(NEEDS_BUILD) is None:
            with self._announcing:
                announce_published(mailer, self.store, datetime.now(UTC))

    async def digest(self, minutes: int) -> None:
        """The blogger's digest: the comments held since the last one, every `minutes`."""
        while True:
            await asyncio.sleep(minutes * 60)
            try:
                mailer = self.mailer
                if mailer is not None:
                    with self.store.atomic():
                        last = self.store.meta(DIGEST)
                        held = [s for s in self.store.find(status="pending", limit=200)
                                if int(s.id[1:]) > int(last or 0)]
                        # One digest, whichever worker takes the mark first.
                        if held and self.store.swap_meta(DIGEST, last, held[0].id[1:]):
                            mailer.held(held[::-1], datetime.now(UTC))
            except Exception as exc:
                self.reporter.error(Problem(f"the comment digest failed: {exc}"))

    def publishing(self) -> bool:
        """Whether a publication is waiting or running."""
        return self._publishing is not None and not self._publishing.done()

    async def run(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work(*args)` on the store's thread (for what may take long)."""
        return await asyncio.get_running_loop().run_in_executor(self.db, work, *args)

    def open_store(self) -> None:
        from reflexgen.comments.store import open_store

        settings = self.live.snapshot.config.comments
        self.store = open_store(settings.database, self.live.snapshot.config.root)

    def schedule_publish(self, delay: float = PUBLISH_DELAY) -> None:
        """Publish in a few seconds: the approvals that arrive meanwhile go in the same build.
        Asked while a publication runs, another follows it (that one may have read the queue
        and the comment files before the change)."""
        if self._publishing is None or self._publishing.done():
            self._publishing = asyncio.get_running_loop().create_task(self._publish(delay))
        else:
            self._again = True

    async def _publish(self, delay: float) -> None:
        while True:
            await asyncio.sleep(delay)
            self._again = False
            await asyncio.to_thread(self.publish_now)
            if not self._again:
                return
            delay = 0

    def publish_now(self) -> None:
        """Write the approved comments into their sidecars, build and deploy the site (see
        `publish`), then rebuild the intake's view of it. A failure keeps them approved."""
        snapshot = self.live.snapshot
        try:
            with self._one_publisher:
                result = publish(snapshot.config.root, snapshot.config, self.store,
                                 self.reporter, self.builder)
            self._owed = not result.ok
            if result.written:
                self.live.rebuild()
            self.announce()
        except Exception as exc:
            self._owed = True
            self.reporter.error(Problem(f"publishing comments failed: {exc}",
                                        hint=traceback.format_exc()))

    async def refresh(self) -> None:
        """Follow the site: edits, and comments published by `reflexgen comments publish`
        (the intake's build is incremental: a few milliseconds when nothing changed)."""
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await asyncio.to_thread(self.live.rebuild)
                self._trouble = ""
            except Exception as exc:  # a site being edited: the last good one is kept
                if str(exc) != self._trouble:
                    self._trouble = str(exc)
                    self.reporter.error(Problem(f"the intake keeps the last site: {exc}"))
            if self._owed:
                self.schedule_publish(0)
            try:
                await asyncio.to_thread(self.announce)
            except Exception as exc:
                self.reporter.error(Problem(f"telling readers of their comments failed: {exc}"))

    async def purge(self) -> None:
        """Spam older than 30 days and expired rate-limit and token data go at start, then
        once a day (what `reflexgen comments purge` does)."""
        while True:
            try:
                gone = await self.run(self.store.purge, datetime.now(UTC))
                if gone:
                    self.reporter.info(f"purged {gone} spam comment(s) older than 30 days")
            except Exception as exc:  # a busy or full disk: tried again tomorrow
                self.reporter.error(Problem(f"purging old spam failed: {exc}"))
            await asyncio.sleep(PURGE_SECONDS)

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """While the server runs: approvals left from the last run are published, the site
        followed, old spam purged; at the end, the approvals still waiting are published."""
        self.schedule_publish(0)
        loop = asyncio.get_running_loop()
        background = [loop.create_task(self.refresh()), loop.create_task(self.purge()),
                      loop.create_task(mentions.verify_all(self))]
        mail = self.live.snapshot.config.comments.mail
        if mail is not None:
            background.append(loop.create_task(outbox.run(self.store, mail, os.environ,
                                                          self.reporter)))
            if mail.notify and mail.notify_every:
                background.append(loop.create_task(self.digest(mail.notify_every)))
        yield
        for task in background:
            task.cancel()
        if self._publishing is not None and not self._publishing.done():
            self._publishing.cancel()
            await asyncio.to_thread(self.publish_now)
        await self.run(self.store.close)
        self.db.shutdown(wait=True)


def wants_json(request: Request) -> bool:
    return JSON_TYPE in request.headers.get("accept", "")


def kept(fields: Mapping[str, str]) -> FormData:
    """What the reader typed, to give back (bounded: it goes into a page)."""
    return FormData(**{name: str(fields.get(name, ""))[:200_000]
                       for name in ("thread", "parent", "author", "email", "url", "body",
                                    "notify")})


# The handlers ---------------------------------------------------------------------------

def intake_of(request: Request) -> Intake:
    return request.app.state.intake


async def form_page(request: Request) -> Response:
    """The comment (or reply) page: the form with a fresh token, the parent quoted."""
    intake = intake_of(request)
    snapshot = intake.live.snapshot
    source = request.query_params.get("thread", "")
    parent_id = request.query_params.get("parent", "")
    thread = snapshot.threads.get(source)
    form = FormData(thread=source)
    if thread is None:
        return respond(request, Answer(404, "error", "error", "intake_unknown_thread", form=form))
    if not thread.open:
        return respond(request, Answer(403, "error", "rejected", "intake_closed", form=form,
                                       thread=thread))
    parent = snapshot.pages.parent_comment(thread, parent_id) if parent_id else None
    token = issue_token(intake, source)
    if parent_id and parent is None:
        return respond(request, Answer(404, "form", "rejected", "intake_parent", form=form,
                                       token=token, thread=thread))
    return respond(request, Answer(200, "form", "form", "", form=replace(
        form, parent=parent_id), token=token, thread=thread, parent=parent))


def issue_token(intake: Intake, thread: str) -> str:
    return tokens.issue(intake.store.secret(), thread, datetime.now(UTC))


async def submit(request: Request) -> Response:
    intake = intake_of(request)
    snapshot = intake.live.snapshot
    try:
        fields = await read_form(request, request_limit(snapshot.config.max_comment_kb))
    except Refused as refused:
        return respond(request, Answer(refused.status, "error", "error", refused.message))
    if not origin_allowed(request, snapshot):  # a form on another site: the text given back
        return respond(request, Answer(403, "error", "rejected", "intake_bad_request",
                                       form=kept(fields)))
    peer = request.client.host if request.client else ""
    try:
        answer = judge_submission(intake, fields, peer, request.headers, datetime.now(UTC))
    except Exception as exc:  # the store failing (a full disk…): the text is given back
        report(intake, exc)
        return respond(request, Answer(500, "error", "error", "intake_failure",
                                       form=kept(fields)))
    if answer.outcome == "approved":
        intake.schedule_publish()
    return respond(request, answer)


def judge_submission(intake: Intake, fields: dict[str, str], peer: str,
                     headers: Mapping[str, str], now: datetime) -> Answer:
    """One submission through the defences: an `Answer`, and the comment stored when it is
    kept (pending, approved or spam)."""
    snapshot = intake.live.snapshot
    settings, store, pages = snapshot.config.comments, intake.store, snapshot.pages
    form = kept(fields)
    thread = snapshot.threads.get(form.thread)
    if thread is None:  # no form to give back: the text is shown to be copied
        return Answer(404, "error", "rejected", "intake_unknown_thread", form=form)
    if not thread.open:
        return Answer(403, "error", "rejected", "intake_closed", form=form, thread=thread)
    secret = store.secret()
    parent = pages.parent_comment(thread, form.parent) if form.parent else None

    def again(status: int, message: str, **more: Any) -> Answer:
        """The form once more, with the reader's text and a new token."""
        answer = Answer(status, "form", "rejected", message, form=form, thread=thread,
                        parent=parent, token=tokens.issue(secret, form.thread, now))
        return replace(answer, **more)

    errors = defences.check_fields(fields, settings, snapshot.config)
    if errors:
        return again(400, "intake_fix", errors=errors)
    draft = defences.make_draft(fields, defences.client_of(peer, headers,
                                                           settings.trusted_proxies, secret))
    with store.atomic():  # the hits, the nonce, the record and its mail: one commit
        verdict = defences.judge(draft, fields, snapshot.facts(thread), settings, store,
                                 secret, now)
        if verdict.outcome != "rejected":
            kept_as = store.add(draft, verdict.outcome, verdict.reasons, now)
            if verdict.outcome != "spam":
                tell(intake, kept_as, fields.get("notify") == "1", now)
    reasons = set(verdict.reasons)
    if verdict.outcome == "rejected":
        if reasons & PREVIEW_REASONS:
            # The no-JavaScript path: a reader who came straight from the article (no token,
            # or one just given) gets their comment back to confirm, with a token that will
            # be old enough when they do.
            return again(200, "intake_preview", mode="preview", outcome="preview",
                         comment_html=pages.comment_html(form.body, thread.lang))
        if "parent" in reasons:
            return again(400, verdict.message, form=replace(form, parent=""), parent=None)
        return again(429 if reasons & RATE_REASONS else 400, verdict.message or "intake_fix")
    if verdict.outcome == "spam":  # nothing said of why, nothing given back
        return Answer(200, "received", "received", "intake_received", thread=thread)
    message = "intake_approved" if verdict.outcome == "approved" else "intake_pending"
    return Answer(200, "thanks", verdict.outcome, message, form=form, thread=thread,
                  comment_html=pages.comment_html(form.body, thread.lang))


def tell(intake: Intake, submission: Submission, follow: bool, now: datetime) -> None:
    """The mail a kept comment brings: the blogger's (one a comment, unless a digest is
    asked for), and, if the reader asked to follow the replies, the address's confirmation
    (once: a confirmed address gets nothing more now)."""
    mailer = intake.mailer
    if mailer is None:
        return
    try:
        if submission.status == "pending" and not mailer.settings.notify_every:
            mailer.held([submission], now)
        if follow and submission.email:
            intake.store.subscribe(submission.id, submission.email, now)
            if not intake.store.address_confirmed(submission.email):
                mailer.confirm(submission.email, now)
    except Exception as exc:  # mail never costs a reader their comment
        report(intake, exc)


# Answers --------------------------------------------------------------------------------

def respond(request: Request, answer: Answer) -> Response:
    """The answer as a page of the site's theme, or as JSON for the JavaScript path."""
    pages = intake_of(request).live.snapshot.pages
    message = translated(pages, answer.message)
    errors = {name: translated(pages, key) for name, key in answer.errors.items()}
    if wants_json(request):
        data: dict[str, Any] = {"status": answer.outcome, "message": message}
        if answer.comment_html:
            data["html"] = answer.comment_html
        if errors:
            data["errors"] = errors
        if answer.token:
            data["token"] = answer.token
        return JSONResponse(data, answer.status, headers={"Cache-Control": "no-store"})
    if answer.mode == "received" and answer.thread is not None:
        return HTMLResponse(pages.received(answer.thread), answer.status,
                            headers={"Cache-Control": "no-store"})
    form = None
    if answer.mode in ("form", "preview") and answer.thread is not None:
        form = pages.form(answer.thread, answer.form, parent=answer.form.parent,
                          token=answer.token, message=message, errors=errors)
    html = pages.render(answer.mode, answer.thread, comment_form=form, message=message,
                        comment_html=answer.comment_html, author=answer.form.author,
                        parent=answer.parent,
                        kept_text=answer.form.body if answer.mode == "error" else "")
    return HTMLResponse(html, answer.status, headers={"Cache-Control": "no-store"})


def translated(pages: Pages, key: str) -> str:
    try:
        return pages.t(key) if key else ""
    except KeyError:  # a theme without the intake's strings: the key says enough
        return key


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    return respond(request, Answer(status, "error", "error", "intake_not_found"))


def report(intake: Intake, exc: BaseException) -> None:
    intake.reporter.error(Problem(f"intake error: {type(exc).__name__}: {exc}",
                                  hint="".join(traceback.format_exception(exc))))


async def failure(request: Request, exc: Exception) -> Response:
    """A bug of ours: a page (never a trace), and the trace logged."""
    report(intake_of(request), exc)
    try:
        return respond(request, Answer(500, "error", "error", "intake_failure"))
    except Exception:
        return Response("500", 500, media_type="text/plain")


def make_app(site_dir: Path, reporter: Reporter, live: LiveSite | None = None) -> Starlette:
    """The intake for the site in `site_dir`, read once now (its threads are the articles of
    the site as its sources are); `live` lets `reflexgen serve` share the site it builds."""
    if live is None:
        reader = SiteReader(site_dir)
        intake = Intake(LiveSite(reader), reporter, reader.build)
    else:
        intake = Intake(live, reporter)
    live = intake.live
    intake.db.submit(intake.open_store).result()
    origins = live.snapshot.config.comments.allowed_origins or (
        origin_of(live.snapshot.config.base_url),)
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        404: not_found, 405: not_found, Exception: failure}
    app = Starlette(
        routes=[Route("/form", form_page, methods=["GET"]),
                Route("/", submit, methods=["POST"]), *admin.routes(), *links.routes(),
                *mentions.routes()],
        middleware=[Middleware(SecurityHeaders, snapshot=lambda: live.snapshot),
                    Middleware(CORSMiddleware, allow_origins=list(origins),
                               allow_methods=["POST"], allow_headers=["Accept", "Content-Type"],
                               max_age=600)],
        exception_handlers=handlers, lifespan=intake.lifespan)
    app.router.redirect_slashes = False  # its redirects would name the request's Host
    app.state.intake = intake
    return app



def app_from_environment() -> Starlette:
    """The intake of the site in `$REFLEXGEN_SITE` (default: the current folder), for ASGI
    servers other than `reflexgen comments serve`:
    `uvicorn --factory reflexgen.comments.app:app_from_environment`."""
    return make_app(Path(os.environ.get("REFLEXGEN_SITE", ".")), Reporter())
