"""Date-sensitive tests run again at awkward instants: `@pytest.mark.clock`.

A test marked `clock` runs once at the real time (`[clock=now]`) and once per instant below
(`[clock=eu-dst]`...), with the clock started there and ticking (time_machine), before any
other fixture of the test runs. `@pytest.mark.clock("sunday", "leap-day")` picks instants for a
slow test; a bare mark takes them all. `-m clock` runs only the marked tests.

Tests written around one fixed moment take `@pytest.mark.clock(default=NOW, tick=False)`: they
run frozen at NOW (`[clock=default]`) and at each instant, and read the moment from the
`clock_now` fixture instead of the constant.

time_machine moves Python's clock, not PostgreSQL's: code that mixes the database's now()
with Python's timezone.now() shows up here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

UTC = dt.UTC

# Each instant sits where zones disagree about the date, the weekday or the offset.
INSTANTS = {
    # 23:55 UTC on a Tuesday: already Wednesday in Berlin and Oslo, still mid-afternoon in Los Angeles.
    "late-weekday": dt.datetime(2027, 2, 9, 23, 55, tzinfo=UTC),
    # Five past midnight UTC on a Sunday: Saturday evening in the Americas.
    "sunday": dt.datetime(2027, 1, 10, 0, 5, tzinfo=UTC),
    # EU summer time starts 28 Mar 2027 at 01:00 UTC: 00:45 UTC is 01:45 in Berlin, the hour before
    # the clocks jump (two weeks after the US change).
    "eu-dst": dt.datetime(2027, 3, 28, 0, 45, tzinfo=UTC),
    # US daylight time starts 14 Mar 2027 at 02:00 local: 07:30 UTC is 03:30 EDT in New York (after),
    # 01:30 CST in Chicago (before) and 23:30 PST on Saturday in Los Angeles.
    "us-dst": dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
    # Late on 29 February 2028: already 1 March in Europe.
    "leap-day": dt.datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
    # Late on 31 December: already New Year in Europe; ISO week 53 of 2026.
    "new-years-eve": dt.datetime(2026, 12, 31, 23, 40, tzinfo=UTC),
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "clock(*instants): also run the test with the clock started at awkward instants "
        f"(tests/clock.py: {', '.join(INSTANTS)}; none named: all)",
    )


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("clock")
    if marker is None:
        return
    names = marker.args or tuple(INSTANTS)
    unknown = set(names) - set(INSTANTS)
    if unknown:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: unknown clock instants {sorted(unknown)}")
    first = "default" if "default" in marker.kwargs else "now"
    metafunc.parametrize("clock_instant", [first, *names], indirect=True, ids=lambda n: f"clock={n}")


@pytest.fixture(autouse=True)
def clock_instant(request):
    """The instant the test runs at (None: the real time). Autouse, so it starts first."""
    name = getattr(request, "param", "now")
    if name == "now":
        yield None
        return
    marker = request.node.get_closest_marker("clock")
    instant = marker.kwargs["default"] if name == "default" else INSTANTS[name]
    with time_machine.travel(instant, tick=marker.kwargs.get("tick", True)):
        yield instant


@pytest.fixture
def clock_now(clock_instant):
    """The moment a clock-marked test started at (frozen with tick=False)."""
    return clock_instant or timezone.now()


def today_for(user) -> dt.date:
    """Today in `user`'s time zone: the day the History tab and the audit exports mean by a date
    (at 23:30 UTC it is already tomorrow in Berlin). For tests whose rows are stamped by the
    database's clock, which time_machine cannot move."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(user.time_zone or "UTC"))
