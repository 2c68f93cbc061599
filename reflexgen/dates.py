"""Dates from front matter: ISO 8601, with or without offset; naive means site time."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

ACCEPTED = ("2024-03-12", "2024-03-12 09:30", "2024-03-12T09:30:00",
            "2024-03-12T09:30:00+01:00", "2024-03-12T08:30:00Z")


class DateError(ValueError):
    """A value that is not a date we understand."""


def to_datetime(value: object, tz: ZoneInfo) -> datetime:
    """Turn a YAML/TOML/string date into an aware datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise DateError(f"cannot read {value!r} as a date") from None
    else:
        raise DateError(f"cannot read {value!r} as a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def accepted_formats() -> str:
    return "accepted formats: " + ", ".join(ACCEPTED)
