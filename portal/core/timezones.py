"""Time zones: the one safe lookup, and the choices shared by users and organizations."""

import zoneinfo
from functools import cache

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
