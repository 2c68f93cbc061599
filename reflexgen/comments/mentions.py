"""`POST /webmention` on the intake, and the task that verifies what it accepted (see
webmention.py for the protocol's pieces).

The request is checked at once and answered 202 (or 400 with the reason, or 429 past a
client's allowance); verification waits in a bounded queue (503 when full) and runs on a
thread: fetching the source never holds the event loop. A verified mention enters the queue
as a comment held for moderation (published at once with `moderation = "post"`), the
blogger told as for a comment; a repeated notification updates it; a source that is gone or
no longer links takes it out (of the site too, if it was published)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from reflexgen.comments import defences, moderate
from reflexgen.comments.fetch import Refused as NotFetched
from reflexgen.comments.forms import Refused, read_form
from reflexgen.comments.records import Draft
from reflexgen.comments.webmention import check_source, thread_of, verify
from reflexgen.errors import Problem

FORM_LIMIT = 8192
QUEUE = 100  # notifications waiting for verification, per process
LIMITS = ((timedelta(minutes=1), 10), (timedelta(hours=1), 60))  # per client
LOOPBACK = "REFLEXGEN_WEBMENTION_LOOPBACK"  # "1": sources on 127.0.0.1 (tests only)
REASON = "webmention"


def routes() -> list[Route]:
    return [Route("/webmention", receive, methods=["POST"])]


def text(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status, headers={"Cache-Control": "no-store"})


async def receive(request: Request) -> Response:
    intake = request.app.state.intake
    snapshot = intake.live.snapshot
    try:
        fields = await read_form(request, FORM_LIMIT)
    except Refused as refused:
        return text(refused.status, "a form with source and target is expected")
    source, target = fields.get("source", "").strip(), fields.get("target", "").strip()
    thread = thread_of(target, snapshot.config.base_url, snapshot.threads)
    if thread is None:
        return text(400, "target is not an article of this site")
    trouble = check_source(source, target)
    if trouble:
        return text(400, trouble)
    if not thread.open:
        return text(400, "this article takes no more comments")
    store, now = intake.store, datetime.now(UTC)
    client = defences.client_of(request.client.host if request.client else "",
                                request.headers, snapshot.config.comments.trusted_proxies,
                                store.secret())
    if defences.over_limits(store, "webmention:" + client, LIMITS, now):
        return text(429, "too many notifications: try again later")
    try:
        intake.mentions.put_nowait((source, target, thread.source, client))
    except asyncio.QueueFull:
        return text(503, "too many notifications waiting: try again later")
    return text(202, "accepted: the source will be verified")


async def verify_all(intake: Any) -> None:
    """The verification task: one notification after the other, each on a thread."""
    while True:
        source, target, thread, client = await intake.mentions.get()
        try:
            changed = await asyncio.to_thread(process, intake, source, target, thread, client)
            if changed:
                intake.schedule_publish(0)
        except Exception as exc:  # one bad notification never stops the others
            intake.reporter.error(Problem(f"webmention from {source} failed: {exc}"))


def process(intake: Any, source: str, target: str, thread: str, client: str) -> bool:
    """Verify one notification and keep, update or take out its mention; True when the site
    must be published again."""
    try:
        mention = verify(source, target, os.environ.get(LOOPBACK) == "1")
    except NotFetched as exc:
        intake.reporter.info(f"webmention from {source} not verified: {exc}")
        return False
    store, config = intake.store, intake.live.snapshot.config
    known = store.mention(source, thread)
    if mention is None:
        if known is None:
            return False
        moderate.remove(config, store, [known.id], intake.reporter)
        intake.reporter.info(f"webmention from {source} withdrawn")
        return known.published
    if known is not None:
        if mention.text == known.body:
            return False
        return moderate.change_text(config, store, known.id, mention.text, intake.reporter) \
            and known.published
    approved = config.comments.moderation == "post"
    submission = store.add(
        Draft(thread, None, mention.author, None, mention.author_url, mention.text, client,
              source=source), "approved" if approved else "pending", (REASON,),
        datetime.now(UTC))
    mailer = intake.mailer
    if mailer is not None and not approved and not mailer.settings.notify_every:
        mailer.held([submission], datetime.now(UTC))
    intake.reporter.info(f"webmention from {source}: {submission.id}")
    return approved
