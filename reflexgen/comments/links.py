"""The pages behind the links in the intake's mail (see mail.py):

    GET  /mail/moderate?t=…      the comment, and a button to approve it (or mark it spam)
    GET  /mail/confirm?t=…       a button to confirm a reader's address
    GET  /mail/unsubscribe?t=…   a button to stop every message to an address
    GET  /mail/erase[?t=…]       a reader's erasure (GDPR): without a token, a form asking for
                                 the address, which gets a link; with one, a button
    POST the same addresses       do it

Opening a link changes nothing (mail scanners open them all); the click is a POST carrying
the token. A moderation POST needs the intake's own `Origin` too, and its token is used
once. The unsubscribe POST needs none: mail providers send it themselves (RFC 8058's
one-click `List-Unsubscribe=One-Click`), and it can only stop mail."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from reflexgen.comments import defences, moderate
from reflexgen.comments.admin import same_origin
from reflexgen.comments.forms import Refused, read_form
from reflexgen.comments.mail import LINK_DAYS, Link, Mailer
from reflexgen.comments.privacy import erase
from reflexgen.config.mail import valid_address

FORM_LIMIT = 4096
KINDS = ("moderate", "confirm", "unsubscribe", "erase")
ERASE_REQUESTS = ((timedelta(hours=1), 5),)  # per client: each may send a message


def routes() -> list[Route]:
    return [Route(f"/mail/{kind}", answer, methods=["GET", "POST"]) for kind in KINDS]


def page(request: Request, status: int, title: str, **values: Any) -> HTMLResponse:
    pages = request.app.state.intake.live.snapshot.pages
    shown = {"intro": "", "comment_html": "", "button": "", "token": "", "action": "",
             "ask_email": False, **values}
    html = pages.admin("link", title=pages.t(title), **shown)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store",
                                               "Referrer-Policy": "no-referrer"})


async def answer(request: Request) -> Response:
    intake = request.app.state.intake
    kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    mailer: Mailer | None = intake.mailer
    fields: dict[str, str] = {}
    if request.method == "GET":
        token = request.query_params.get("t", "")
    else:
        try:
            fields = await read_form(request, FORM_LIMIT)
        except Refused as refused:
            return page(request, refused.status, "mail_title_error", intro=intake.live
                        .snapshot.pages.t(refused.message))
        token = fields.get("t", "") or request.query_params.get("t", "")
    if kind == "erase" and not token and mailer is not None:
        return await erase_request(request, mailer, None if request.method == "GET"
                                   else fields.get("email", ""))
    link = mailer.read(kind, token) if mailer is not None and len(token) < 1000 else None
    if link is None:
        return error(request, 404, "mail_link_bad")
    if request.method == "GET":
        return ask(request, link, token)
    if kind in ("moderate", "erase") and not same_origin(request):
        return error(request, 403, "admin_forbidden")
    return await do(request, link, token)


async def erase_request(request: Request, mailer: Mailer, email: str | None) -> Response:
    """The form asking for an address (`email` None), or the address sent: a link to it if
    anything is kept about it. The answer is the same either way (no one learns who
    commented), and a client may ask only a few times an hour."""
    intake = request.app.state.intake
    t = intake.live.snapshot.pages.t
    if email is None:
        return page(request, 200, "mail_title_erase", intro=t("mail_erase_request_intro"),
                    action="erase", ask_email=True, button=t("mail_erase_send"))
    if not same_origin(request):
        return error(request, 403, "admin_forbidden")
    store, now = intake.store, datetime.now(UTC)
    client = defences.client_of(request.client.host if request.client else "",
                                request.headers,
                                intake.live.snapshot.config.comments.trusted_proxies,
                                store.secret())
    if defences.over_limits(store, "erase:" + client, ERASE_REQUESTS, now):
        return error(request, 429, "mail_erase_wait")
    email = email.strip()
    if valid_address(email) and (store.by_email(email) or store.address_confirmed(email)):
        mailer.erase_request(email, now)
    return page(request, 200, "mail_title_erase", intro=t("mail_erase_sent"))


def error(request: Request, status: int, message: str) -> HTMLResponse:
    pages = request.app.state.intake.live.snapshot.pages
    return page(request, status, "mail_title_error", intro=pages.t(message))


def ask(request: Request, link: Link, token: str) -> Response:
    """The page a link opens: what the click would do."""
    intake = request.app.state.intake
    pages = intake.live.snapshot.pages
    if link.kind == "moderate":
        submission = intake.store.get(link.subject)
        if submission is None or submission.status != "pending":
            return error(request, 410, "mail_not_pending")
        article = pages.article(submission.thread)
        return page(request, 200, "mail_title_moderate", token=token, action=link.kind,
                    intro=pages.t("mail_moderate_intro", author=submission.author,
                                  title=article.title if article else submission.thread),
                    comment_html=pages.comment_html(submission.body,
                                                    intake.live.snapshot.config.language),
                    button=pages.t(f"mail_{link.action}"))
    buttons = {"confirm": "mail_confirm_button", "unsubscribe": "mail_title_unsubscribe",
               "erase": "mail_erase_button"}
    return page(request, 200, f"mail_title_{link.kind}", token=token, action=link.kind,
                intro=pages.t(f"mail_{link.kind}_intro", email=link.subject),
                button=pages.t(buttons[link.kind]))


async def do(request: Request, link: Link, token: str) -> Response:
    """The click."""
    intake = request.app.state.intake
    store, now = intake.store, datetime.now(UTC)
    if link.kind == "confirm":
        store.confirm_address(link.subject, now)
        return page(request, 200, "mail_title_done", intro=intake.live.snapshot.pages.t(
            "mail_done_confirm"))
    if link.kind == "unsubscribe":
        store.forget_address(link.subject)
        return page(request, 200, "mail_title_done", intro=intake.live.snapshot.pages.t(
            "mail_done_unsubscribe"))
    if link.kind == "erase":
        config = intake.live.snapshot.config
        _, ok = await asyncio.to_thread(erase, config, store, link.subject, intake.reporter)
        intake.schedule_publish(0)
        return page(request, 200 if ok else 500, "mail_title_done" if ok else "mail_title_error",
                    intro=intake.live.snapshot.pages.t("mail_done_erase" if ok
                                                       else "mail_erase_failed"))
    submission = store.get(link.subject)
    if submission is None or submission.status != "pending" or link.action not in (
            "approve", "spam"):
        return error(request, 410, "mail_not_pending")
    if not store.use_nonce(Mailer.nonce(token), now + timedelta(days=LINK_DAYS + 1), now):
        return error(request, 410, "mail_link_used")
    config = intake.live.snapshot.config
    if link.action == "approve":
        store.set_status([submission.id], "approved")
    else:
        await asyncio.to_thread(moderate.mark_spam, config, store, [submission.id],
                                intake.reporter)
    intake.schedule_publish(0)
    return page(request, 200, "mail_title_done",
                intro=intake.live.snapshot.pages.t(f"mail_done_{link.action}"))
