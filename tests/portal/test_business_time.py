"""Business-time arithmetic: weekends, public holidays, time zones and DST."""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
import time_machine

from portal.core.business_time import BusinessCalendar, describe_business_hours, public_holidays

BERLIN = ZoneInfo("Europe/Berlin")
CHICAGO = ZoneInfo("America/Chicago")
DE = BusinessCalendar(time_zone="Europe/Berlin", country="DE")
US = BusinessCalendar(time_zone="America/Chicago", country="US")


def berlin(*args):
    return dt.datetime(*args, tzinfo=BERLIN)


def chicago(*args):
    return dt.datetime(*args, tzinfo=CHICAGO)


def test_results_are_returned_in_utc():
    due = DE.add_business_hours(berlin(2025, 11, 18, 10, 0), 2)
    assert due.utcoffset() == dt.timedelta(0)
    assert due == berlin(2025, 11, 18, 12, 0)


def test_within_the_same_day():
    assert DE.add_business_hours(berlin(2025, 11, 18, 9, 30), 4) == berlin(2025, 11, 18, 13, 30)


def test_friday_afternoon_plus_four_hours_is_monday_morning():
    # Friday 14 Nov 2025, 15:00: two hours left on Friday, two more on Monday.
    assert DE.add_business_hours(berlin(2025, 11, 14, 15, 0), 4) == berlin(2025, 11, 17, 11, 0)


@time_machine.travel(dt.datetime(2025, 11, 14, 14, 0, tzinfo=dt.UTC), tick=False)
def test_friday_afternoon_with_frozen_clock():
    # 15:00 in Berlin when the clock is frozen at 14:00 UTC.
    now = dt.datetime.now(dt.UTC)
    assert DE.add_business_hours(now, 4).astimezone(BERLIN) == berlin(2025, 11, 17, 11, 0)


def test_deadline_on_closing_time_stays_on_that_day():
    assert DE.add_business_hours(berlin(2025, 11, 14, 13, 0), 4) == berlin(2025, 11, 14, 17, 0)


def test_start_before_opening_counts_from_opening():
    assert DE.add_business_hours(berlin(2025, 11, 18, 6, 15), 1) == berlin(2025, 11, 18, 10, 0)


def test_start_after_closing_counts_from_next_morning():
    assert DE.add_business_hours(berlin(2025, 11, 18, 19, 0), 1) == berlin(2025, 11, 19, 10, 0)


def test_start_on_saturday_counts_from_monday():
    assert DE.add_business_hours(berlin(2025, 11, 15, 11, 0), 3) == berlin(2025, 11, 17, 12, 0)


def test_zero_hours_rolls_to_the_next_opening():
    assert DE.add_business_hours(berlin(2025, 11, 16, 11, 0), 0) == berlin(2025, 11, 17, 9, 0)


def test_german_unity_day_is_skipped():
    # Thursday 2 Oct 2025 16:00 + 4h: 1h Thursday, Friday 3 Oct is a holiday, 3h on Monday.
    assert DE.add_business_hours(berlin(2025, 10, 2, 16, 0), 4) == berlin(2025, 10, 6, 12, 0)


def test_german_unity_day_is_a_working_day_in_the_us():
    assert US.is_working_day(dt.date(2025, 10, 3))
    assert not DE.is_working_day(dt.date(2025, 10, 3))


def test_thanksgiving_is_skipped_in_chicago():
    # Wednesday 26 Nov 2025 15:00 + 8h: 2h Wednesday, Thursday is Thanksgiving, 6h Friday.
    assert US.add_business_hours(chicago(2025, 11, 26, 15, 0), 8) == chicago(2025, 11, 28, 15, 0)


def test_thanksgiving_counts_in_berlin():
    assert DE.add_business_hours(berlin(2025, 11, 26, 15, 0), 8) == berlin(2025, 11, 27, 15, 0)


def test_christmas_and_new_year_in_germany():
    # Tuesday 23 Dec 2025 16:00 + 16h: 24 Dec is a working day (not a federal holiday),
    # 25 and 26 Dec are holidays, then the weekend.
    due = DE.add_business_hours(berlin(2025, 12, 23, 16, 0), 16)
    assert due == berlin(2025, 12, 29, 16, 0)


def test_dst_spring_forward_in_berlin_keeps_wall_clock_hours():
    # Clocks go forward on Sunday 30 March 2025; Friday 15:00 CET + 4h = Monday 11:00 CEST.
    due = DE.add_business_hours(berlin(2025, 3, 28, 15, 0), 4)
    assert due == berlin(2025, 3, 31, 11, 0)
    assert due.astimezone(dt.UTC) == dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.UTC)


def test_dst_fall_back_in_chicago():
    # Clocks go back on Sunday 2 Nov 2025; Friday 16:00 CDT + 2h = Monday 10:00 CST.
    due = US.add_business_hours(chicago(2025, 10, 31, 16, 0), 2)
    assert due == chicago(2025, 11, 3, 10, 0)
    assert due.astimezone(dt.UTC) == dt.datetime(2025, 11, 3, 16, 0, tzinfo=dt.UTC)


def test_same_instant_gives_different_deadlines_in_different_zones():
    # 15:30 UTC on a Monday: 16:30 in Berlin (30 minutes left), 09:30 in Chicago.
    instant = dt.datetime(2025, 11, 17, 15, 30, tzinfo=dt.UTC)
    assert DE.add_business_hours(instant, 4) == berlin(2025, 11, 18, 12, 30)
    assert US.add_business_hours(instant, 4) == chicago(2025, 11, 17, 13, 30)


def test_start_in_another_zone_is_converted_to_the_site_zone():
    # Friday 10:00 in Chicago is 17:00 in Berlin: the Berlin site is closed already.
    assert DE.add_business_hours(chicago(2025, 11, 14, 10, 0), 1) == berlin(2025, 11, 17, 10, 0)


def test_one_business_day_is_one_working_day_span():
    assert DE.hours_per_day == 8
    assert DE.add_business_days(berlin(2025, 11, 18, 11, 0), 1) == berlin(2025, 11, 19, 11, 0)
    assert DE.add_business_days(berlin(2025, 11, 14, 15, 0), 1) == berlin(2025, 11, 17, 15, 0)
    assert DE.add_business_days(berlin(2025, 11, 14, 15, 0), 5) == berlin(2025, 11, 21, 15, 0)


def test_custom_working_hours():
    short = BusinessCalendar(
        time_zone="Europe/Berlin", country="DE", day_start=dt.time(8), day_end=dt.time(12)
    )
    assert short.hours_per_day == 4
    assert short.add_business_days(berlin(2025, 11, 18, 11, 0), 1) == berlin(2025, 11, 19, 11, 0)


def test_hours_between_across_a_weekend():
    assert DE.business_hours_between(berlin(2025, 11, 14, 15, 0), berlin(2025, 11, 17, 11, 0)) == 4


def test_hours_between_ignores_nights_holidays_and_is_signed():
    a, b = berlin(2025, 10, 2, 16, 0), berlin(2025, 10, 6, 12, 0)
    assert DE.business_hours_between(a, b) == 4
    assert DE.business_hours_between(b, a) == -4
    assert DE.business_hours_between(berlin(2025, 11, 15, 10, 0), berlin(2025, 11, 16, 20, 0)) == 0


def test_hours_between_is_the_inverse_of_adding():
    start = berlin(2025, 12, 19, 13, 17)
    for hours in (0.5, 4, 8, 16, 24, 40, 100):
        assert DE.business_hours_between(start, DE.add_business_hours(start, hours)) == pytest.approx(hours)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        DE.add_business_hours(dt.datetime(2025, 11, 18, 10, 0), 1)
    with pytest.raises(ValueError):
        DE.add_business_hours(berlin(2025, 11, 18, 10, 0), -1)


def test_unknown_country_counts_weekends_only():
    calendar = BusinessCalendar(time_zone="UTC", country="ZZ")
    assert public_holidays("ZZ", 2025) == frozenset()
    assert calendar.is_working_day(dt.date(2025, 12, 25))
    assert not calendar.is_working_day(dt.date(2025, 12, 27))


def test_unknown_zone_is_refused():
    with pytest.raises(ZoneInfoNotFoundError):
        BusinessCalendar(time_zone="Mars/Olympus", country="DE")


def test_holidays_are_cached_per_country_and_year():
    public_holidays.cache_clear()
    public_holidays("DE", 2025)
    public_holidays("DE", 2025)
    public_holidays("DE", 2026)
    info = public_holidays.cache_info()
    assert (info.hits, info.misses) == (1, 2)


def test_agreed_times_in_words():
    assert describe_business_hours(4) == "4 business hours"
    assert describe_business_hours(1) == "1 business hour"
    assert describe_business_hours(8) == "1 business day"
    assert describe_business_hours(40) == "5 business days"
    assert describe_business_hours(12) == "12 business hours"
