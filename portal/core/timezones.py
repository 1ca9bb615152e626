"""Time zones: the one safe lookup, and the choices shared by users and organizations."""

import datetime
import zoneinfo
from functools import cache

from django.utils import dateformat, timezone

UTC = zoneinfo.ZoneInfo("UTC")


def zone_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`; UTC when the name is empty or not a zone this machine knows.

    Stored zone names come from a choice list, but the list can change between releases
    (zones are renamed or retired), so a lookup never raises.
    """
    if not name:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


# How the day is written before the times, per style; the end's day drops the year unless it differs.
_SPAN_DAY = {"long": ("l j F Y", "l j F"), "short": ("D j M", "D j M"), "times": (None, "D j M")}


def time_span(start: datetime.datetime, end: datetime.datetime, zone=None, *, style: str = "long") -> str:
    """A meeting's start and end as a reader in `zone` sees them (default: the active zone).

    The same local day: "Thursday 10 December 2026, 10:00–11:00". An end on another local day
    names that day too: "Thursday 10 December 2026, 23:00 – Friday 11 December, 00:00".
    `style` "short" writes "Thu 10 Dec"; "times" leaves the start's day out (a table shows it
    in its own line) and names the end's day only when it differs.
    """
    zone = zone_or_utc(zone) if isinstance(zone, str) else (zone or timezone.get_current_timezone())
    start, end = start.astimezone(zone), end.astimezone(zone)
    start_day, end_day = _SPAN_DAY.get(style, _SPAN_DAY["long"])
    prefix = f"{dateformat.format(start, start_day)}, " if start_day else ""
    if start.date() == end.date():
        return f"{prefix}{start:%H:%M}–{end:%H:%M}"
    if end.year != start.year and style == "long":
        end_day = "l j F Y"
    return f"{prefix}{start:%H:%M} – {dateformat.format(end, end_day)}, {end:%H:%M}"
