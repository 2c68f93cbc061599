"""Sending the outbox: a task of the intake takes the messages that are due (a claim in the
store, so that several intake processes never send one twice) and hands them to the SMTP
server on a thread, so that a slow or failing server never holds a reader up. A failure is
tried again later (`BACKOFF`), then given up; the moderation page shows what failed."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from reflexgen.comments.store import Store
from reflexgen.config.mail import MailSettings
from reflexgen.errors import Problem, Reporter

POLL_SECONDS = 1.0
BATCH = 20
TIMEOUT = 30  # seconds: one SMTP conversation
BACKOFF = (1, 5, 15, 60, 240, 720)  # minutes before each new attempt; then given up


def send(settings: MailSettings, password: str, recipient: str, message: bytes) -> None:
    """One message through the SMTP server (raises on failure)."""
    context = ssl.create_default_context()
    if settings.security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                                context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with server:
        if settings.security == "starttls":
            server.starttls(context=context)
        if settings.user:
            server.login(settings.user, password)
        server.sendmail(settings.sender, [recipient], message)


def retry_at(attempts: int, error: Exception, now: datetime) -> datetime | None:
    """When to try again a message that failed after `attempts` earlier attempts; None:
    never (a refusal that will not change, or too many attempts)."""
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused
                           | smtplib.SMTPNotSupportedError | UnicodeError) \
        or (isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600)
    if permanent or attempts >= len(BACKOFF):
        return None
    return now + timedelta(minutes=BACKOFF[attempts])


async def run(store: Store, settings: MailSettings, environ: Mapping[str, str],
              reporter: Reporter) -> None:
    """Send what is due, for ever (cancelled when the server stops)."""
    password = environ.get(settings.password_env, "")
    while True:
        try:
            await send_due(store, settings, password, reporter)
        except Exception as exc:  # the store failing: said, and tried again
            reporter.error(Problem(f"the outbox could not be read: {exc}"))
        await asyncio.sleep(POLL_SECONDS)


async def send_due(store: Store, settings: MailSettings, password: str,
                   reporter: Reporter) -> int:
    """Send the messages due now, claimed one at a time (a claim outlives one SMTP
    conversation, never a batch of them); how many went."""
    sent = 0
    for _ in range(BATCH):
        claimed = store.claim_mail(datetime.now(UTC), 1)
        if not claimed:
            break
        [(n, recipient, message, attempts)] = claimed
        try:
            await asyncio.to_thread(send, settings, password, recipient, message)
        except Exception as exc:  # whatever it is, the message is marked, never left claimed
            again = retry_at(attempts, exc, datetime.now(UTC))
            store.mail_failed(n, f"{type(exc).__name__}: {exc}", again)
            reporter.error(Problem(f"mail to {recipient} not sent: {exc}",
                                   hint="tried again later" if again else "given up"))
            continue
        store.mail_sent(n, datetime.now(UTC))
        sent += 1
    return sent
