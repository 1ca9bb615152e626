"""Business-time arithmetic: deadlines counted in working hours at a site.

Agreed response times ("acknowledge within 4 business hours") are counted in
the working hours of the site that owes the response, in that site's time zone,
skipping weekends and the public holidays of the site's country.

Definitions the rest of the portal relies on:

- A *working day* is a Monday to Friday that is not a public holiday of the
  calendar's country (from the `holidays` package).
- *Working hours* run from `day_start` to `day_end` (default 09:00–17:00) in
  the calendar's time zone, so one working day is 8 business hours.
- **1 business day = one working-day span = `hours_per_day` business hours**
  (8 by default). "Plan within 1 business day" raised at Tuesday 11:00 is due
  Wednesday 11:00; raised on Friday at 15:00 it is due Monday at 15:00.
- A start outside working hours (evening, weekend, holiday) rolls forward to
  the next opening before the clock starts counting.
- A deadline that lands exactly on closing time stays on that day ("by 17:00
  Friday"), it does not roll to the next morning.

Every function takes and returns timezone-aware datetimes. Computation happens
in the calendar's zone (so daylight-saving changes shift nothing: working hours
are wall-clock hours at the site) and results come back in UTC.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass
from functools import cache, cached_property

import holidays

logger = logging.getLogger(__name__)

UTC = dt.UTC
# Long loops are a bug, not a feature: no agreed response time spans ten years.
MAX_DAYS_SCANNED = 3660


@cache
def public_holidays(country: str, year: int) -> frozenset[dt.date]:
    """Public holidays of `country` (ISO 3166 alpha-2) in `year`; cached per (country, year).

    An unknown country has no holidays (logged once), so a typo in an
    organization's country never breaks a deadline.
    """
    try:
        return frozenset(holidays.country_holidays(country.upper(), years=year).keys())
    except (NotImplementedError, KeyError, AttributeError):
        logger.warning("No public-holiday calendar for country %r; counting weekends only.", country)
        return frozenset()


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours, weekends and public holidays of one site."""

    time_zone: str
    country: str
    day_start: dt.time = dt.time(9)
    day_end: dt.time = dt.time(17)

    def __post_init__(self):
        if self.day_end <= self.day_start:
            raise ValueError("A working day must end after it starts.")
        zoneinfo.ZoneInfo(self.time_zone)  # fail early on an unknown zone

    @classmethod
    def for_organization(cls, organization) -> BusinessCalendar:
        """The calendar of an organization's main site (its time zone and country)."""
        return cls(time_zone=organization.time_zone or "UTC", country=organization.country or "US")

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def hours_per_day(self) -> float:
        start = dt.datetime.combine(dt.date.min, self.day_start)
        end = dt.datetime.combine(dt.date.min, self.day_end)
        return (end - start).total_seconds() / 3600

    def describe(self) -> str:
        return (
            f"{self.day_start:%H:%M}–{self.day_end:%H:%M} {self.time_zone.replace('_', ' ')}, "
            f"Monday to Friday, excluding public holidays ({self.country})"
        )

    # Days ---------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in public_holidays(self.country, day.year)

    def _opening(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.day_start, tzinfo=self.zone)

    def _closing(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.day_end, tzinfo=self.zone)

    def _next_working_day(self, day: dt.date) -> dt.date:
        for _ in range(MAX_DAYS_SCANNED):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"No working day within {MAX_DAYS_SCANNED} days after {day}")

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if it falls in working hours, else the next time the site opens (UTC)."""
        _require_aware(moment, "moment")
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day):
            if local < self._opening(day):
                return self._opening(day).astimezone(UTC)
            if local < self._closing(day):
                return local.astimezone(UTC)
        return self._opening(self._next_working_day(day)).astimezone(UTC)

    # Arithmetic ---------------------------------------------------------

    def add_business_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours after `start` (UTC).

        A start outside working hours counts from the next opening. Zero hours
        gives that opening. Negative hours are refused.
        """
        _require_aware(start, "start")
        if hours < 0:
            raise ValueError("hours must not be negative")
        # Durations are measured between real instants (UTC), the day's
        # boundaries are wall-clock times at the site.
        remaining = dt.timedelta(hours=hours)
        current = self.next_opening(start)
        for _ in range(MAX_DAYS_SCANNED):
            day = current.astimezone(self.zone).date()
            available = self._closing(day).astimezone(UTC) - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = self._opening(self._next_working_day(day)).astimezone(UTC)
        raise ValueError(f"{hours} business hours is longer than this calendar can count")

    def add_business_days(self, start: dt.datetime, days: float) -> dt.datetime:
        """`days` business days after `start`; one business day is `hours_per_day` hours."""
        return self.add_business_hours(start, days * self.hours_per_day)

    def business_hours_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working hours from `a` to `b` (negative if `b` is before `a`)."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b < a:
            return -self.business_hours_between(b, a)
        total = dt.timedelta()
        day = a.astimezone(self.zone).date()
        last = b.astimezone(self.zone).date()
        if (last - day).days > MAX_DAYS_SCANNED:
            raise ValueError("Span too long to count in business hours")
        while day <= last:
            if self.is_working_day(day):
                opening = max(self._opening(day).astimezone(UTC), a)
                closing = min(self._closing(day).astimezone(UTC), b)
                if closing > opening:
                    total += closing - opening
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600


def describe_business_hours(hours: float, hours_per_day: float = 8) -> str:
    """Agreed times in words: "4 business hours", "1 business day", "3 business days"."""
    if hours and hours % hours_per_day == 0:
        days = int(hours // hours_per_day)
        return f"{days} business day{'s' if days != 1 else ''}"
    shown = f"{hours:g}"
    return f"{shown} business hour{'s' if hours != 1 else ''}"
