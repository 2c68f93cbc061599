from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reflexgen.content.dates import DateError, to_datetime

PARIS = ZoneInfo("Europe/Paris")


def test_naive_datetime_is_in_site_timezone():
    value = to_datetime(datetime(2024, 7, 1, 12, 0), PARIS)
    assert value.utcoffset() == timedelta(hours=2)


def test_date_only_is_midnight_site_time():
    value = to_datetime(date(2024, 1, 15), PARIS)
    assert (value.hour, value.utcoffset()) == (0, timedelta(hours=1))


def test_offset_is_kept():
    value = to_datetime(datetime(2024, 3, 12, 9, 30, tzinfo=timezone(timedelta(hours=-5))), PARIS)
    assert value.utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize("text, expected_utc", [
    ("2023-11-02 08:15", datetime(2023, 11, 2, 7, 15, tzinfo=UTC)),
    ("2023-11-02T08:15:00Z", datetime(2023, 11, 2, 8, 15, tzinfo=UTC)),
    ("2023-11-02T08:15:00+02:00", datetime(2023, 11, 2, 6, 15, tzinfo=UTC)),
])
def test_strings(text, expected_utc):
    assert to_datetime(text, PARIS) == expected_utc


@pytest.mark.parametrize("bad", ["12/03/2024", "demain", 42, None])
def test_unreadable_dates(bad):
    with pytest.raises(DateError):
        to_datetime(bad, PARIS)


@pytest.mark.parametrize("text, hint", [
    ("2023-02-29", "February 2023 has 28 days"),
    ("2024-02-30T10:00:00", "February 2024 has 29 days"),
    ("2024-02-30 10:00", "February 2024 has 29 days"),
    ("2024-4-31", "April 2024 has 30 days"),
    ("2024-13-01", "months go from 1 to 12"),
    ("2024-00-10", "months go from 1 to 12"),
    ("2024-01-00", "days go from 1 to 31"),
    ("0000-01-01", "years go from 1 to 9999"),
    ("2024-01-01T24:00:00", "hours go from 0 to 23"),
    ("2024-01-01T10:60", "minutes go from 0 to 59"),
    ("2024-01-01T10:00:61Z", "seconds go from 0 to 59"),
    ("2024-01-01T10:00:00+25:00", "an offset goes from -23:59 to +23:59"),
])
def test_impossible_dates_say_why(text, hint):
    with pytest.raises(DateError) as info:
        to_datetime(text, PARIS)
    assert f"{text!r} is not a real date" in str(info.value)
    assert hint in info.value.hint


def test_a_leap_day_is_a_real_date():
    assert to_datetime("2024-02-29", PARIS).day == 29


@pytest.mark.parametrize("value", [date(1, 1, 1), "9999-12-31T23:00:00-05:00"])
def test_dates_that_cannot_be_placed_in_utc_are_errors(value):
    with pytest.raises(DateError, match="too far in the past or the future"):
        to_datetime(value, PARIS)


def test_unreadable_dates_hint_the_accepted_formats():
    with pytest.raises(DateError) as info:
        to_datetime("demain", PARIS)
    assert "2024-03-12T09:30:00+01:00" in info.value.hint
