"""When a message that failed is tried again (comments/outbox.py)."""

import smtplib
from datetime import UTC, datetime, timedelta

from reflexgen.comments.outbox import BACKOFF, retry_at

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_passing_failure_is_tried_again_later_and_later_then_given_up():
    down = ConnectionRefusedError("no server")
    delays = [retry_at(attempts, down, NOW) for attempts in range(len(BACKOFF) + 1)]
    assert delays[:-1] == [NOW + timedelta(minutes=m) for m in BACKOFF]
    assert delays[-1] is None


def test_a_refusal_that_will_not_change_is_given_up_at_once():
    assert retry_at(0, smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")}),
                    NOW) is None
    assert retry_at(0, smtplib.SMTPDataError(554, b"rejected"), NOW) is None
    assert retry_at(0, smtplib.SMTPDataError(451, b"try later"), NOW) == NOW + timedelta(
        minutes=BACKOFF[0])


def test_an_address_smtp_cannot_carry_is_given_up_at_once():
    assert retry_at(0, UnicodeEncodeError("ascii", "josé", 3, 4, "no"), NOW) is None
