"""The window of dates the portal accepts and computes with (1990 to 2100).

Forms refuse dates outside it (portal.core.forms), and CHECK constraints (`in_window`) keep the
dates pages and calendar feeds compute with inside it in the database, because date arithmetic
and time-zone conversion near year 1 or 9999 overflow.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def date_in_window(day: datetime.date) -> bool:
    if isinstance(day, datetime.datetime):
        day = day.date()
    return EARLIEST_DATE <= day <= LATEST_DATE


def in_window(field: str, *, nullable: bool = False) -> Q:
    """A CheckConstraint condition keeping `field` (a date or a datetime) inside the window, so the
    database refuses what the forms refuse and a page never meets a date it cannot compute with."""
    earliest = datetime.datetime.combine(EARLIEST_DATE, datetime.time(), tzinfo=datetime.UTC)
    after_latest = datetime.datetime.combine(
        LATEST_DATE + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
    )
    condition = Q(**{f"{field}__gte": earliest, f"{field}__lt": after_latest})
    return condition | Q(**{f"{field}__isnull": True}) if nullable else condition
