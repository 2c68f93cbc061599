"""Dates from front matter: ISO 8601, with or without offset; naive means site time."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ACCEPTED = ("2024-03-12", "2024-03-12 09:30", "2024-03-12T09:30:00",
            "2024-03-12T09:30:00+01:00", "2024-03-12T08:30:00Z")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# What looks like a date or a time, whether or not the calendar has it (YAML's timestamp
# shape, which allows one-digit months and days, and ISO 8601's).
WRITTEN = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
                     r"(?:(?:[Tt]|[ \t]+)(?P<hour>\d{1,2}):(?P<minute>\d{2})"
                     r"(?::(?P<second>\d{2})(?:\.\d*)?)?[ \t]*"
                     r"(?:Z|z|(?P<offset>[-+]\d{1,2})(?::?\d{2})?)?)?")


class DateError(ValueError):
    """A value that is not a date we understand; `hint` says how to put it right."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint or accepted_formats()


def to_datetime(value: object, tz: ZoneInfo) -> datetime:
    """Turn a YAML/TOML/string date into an aware datetime."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        trouble = calendar_trouble(value)
        if trouble:
            raise DateError(f"{value.strip()!r} is not a real date", hint=trouble)
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise DateError(f"cannot read {value!r} as a date") from None
    else:
        raise DateError(f"cannot read {value!r} as a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        parsed.astimezone(UTC)  # every comparison and feed needs it
    except OverflowError:
        raise DateError(f"'{value!s}' is too far in the past or the future",
                        hint="write the real date, e.g. 2024-03-12") from None
    return parsed


def calendar_trouble(text: str) -> str | None:
    """Why `text`, written like a date, is on no calendar (« February 2023 has 28 days »),
    or None when it is not written like a date or is a real one."""
    found = WRITTEN.fullmatch(text.strip())
    if found is None:
        return None
    year, month, day = (int(found[name]) for name in ("year", "month", "day"))
    if year == 0:
        return "years go from 1 to 9999"
    if not 1 <= month <= 12:
        return "months go from 1 to 12"
    length = calendar.monthrange(year, month)[1]
    if day > length:
        return f"{MONTHS[month - 1]} {year} has {length} days"
    if day == 0:
        return f"days go from 1 to {length}"
    limits = (("hour", 23, "hours go from 0 to 23 (midnight is 00:00 the next day)"),
              ("minute", 59, "minutes go from 0 to 59"),
              ("second", 59, "seconds go from 0 to 59"),
              ("offset", 23, "an offset goes from -23:59 to +23:59, e.g. +01:00"))
    for name, top, reason in limits:
        if found[name] is not None and abs(int(found[name])) > top:
            return reason
    return None


def dst_trouble(moment: datetime, tz: ZoneInfo) -> str | None:
    """Whether a time written without an offset is one the site's clocks skip (the spring
    gap) or show twice (the autumn overlap): then the date is a guess, said aloud."""
    if moment.tzinfo is not tz:
        return None
    round_trip = moment.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return (f"{moment:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it); "
                f"read as {round_trip:%H:%M%z}")
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return (f"{moment:%Y-%m-%d %H:%M} happens twice in {tz.key} (the clocks go back); "
                f"read as the first, {moment.replace(fold=0):%H:%M%z}")
    return None


def accepted_formats() -> str:
    return "accepted formats: " + ", ".join(ACCEPTED)
