"""Dates from front matter: ISO 8601, with or without offset; naive means site time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
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
