"""The window of dates the portal accepts and computes with (1990 to 2100).

Forms refuse dates outside it (portal.core.forms); pages and feeds that meet a row
stored before that rule clamp or skip it, because date arithmetic near year 1 or
9999 overflows.
"""

from __future__ import annotations

import datetime

EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def date_in_window(day: datetime.date) -> bool:
    if isinstance(day, datetime.datetime):
        day = day.date()
    return EARLIEST_DATE <= day <= LATEST_DATE


def clamp_to_window(day: datetime.date) -> datetime.date:
    return min(max(day, EARLIEST_DATE), LATEST_DATE)
