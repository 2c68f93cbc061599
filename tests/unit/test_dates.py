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
