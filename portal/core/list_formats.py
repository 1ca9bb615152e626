"""Dates and links for the rows of a long list, each made in a microsecond or two.

`date:"j M Y"` (Django's dateformat) parses its format and asks the translation and time-zone
machinery again for every value, about 18 µs; `reverse()` walks the URL resolver, about 17 µs.
A list of 25 rows with three dates and two links each spent 2 ms on them. Here the words of
each language are read once per process and a URL once per name; the results are the same
strings (tests/portal/test_list_formats.py compares them with Django's). `link()` keeps each
name's reversed pattern for the process: for a page that links to the same dozen pages of a
project on every request (its tabs, its overview's panels).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR

# Stand-ins for the ids in a URL: numbers no real path of ours holds.
_SENTINELS = (918273645, 546372819, 731902468)


class ListDates:
    """Django's "j M Y", "j M", "j M Y, H:i" and "D j M, H:i" in the current language and time zone."""

    _names: dict[str | None, tuple[list[str], list[str]]] = {}  # language: (months, weekdays)

    def __init__(self):
        language = translation.get_language()
        if language not in self._names:
            self._names[language] = (
                [""] + [str(MONTHS_3[m]).title() for m in range(1, 13)],
                [str(WEEKDAYS_ABBR[d]) for d in range(7)],
            )
        self._months, self._days = self._names[language]
        self._zone = timezone.get_current_timezone()

    def _local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self._zone) if timezone.is_aware(moment) else moment

    def day(self, value: dt.date | dt.datetime) -> str:
        """ "3 Dec 2026" """
        if isinstance(value, dt.datetime):
            value = self._local(value)
        return f"{value.day} {self._months[value.month]} {value.year}"

    def day_month(self, value: dt.date | dt.datetime) -> str:
        """ "3 Dec" """
        if isinstance(value, dt.datetime):
            value = self._local(value)
        return f"{value.day} {self._months[value.month]}"

    def day_time(self, moment: dt.datetime) -> str:
        """ "3 Dec 2026, 14:05" """
        moment = self._local(moment)
        return (
            f"{moment.day} {self._months[moment.month]} {moment.year}, {moment.hour:02d}:{moment.minute:02d}"
        )

    def weekday_time(self, moment: dt.datetime) -> str:
        """ "Thu 3 Dec, 14:05" """
        moment = self._local(moment)
        day = self._days[moment.weekday()]
        return f"{day} {moment.day} {self._months[moment.month]}, {moment.hour:02d}:{moment.minute:02d}"


class ListLinks:
    """`reverse(name, kwargs=...)` for many rows: the URL is reversed once, with stand-in ids,
    and each row's ids are put in their place. Only for URLs whose arguments are integers."""

    def __init__(self, name: str, *arguments: str):
        sentinels = {
            str(sentinel): argument for argument, sentinel in zip(arguments, _SENTINELS, strict=False)
        }
        pattern = reverse(name, kwargs={argument: int(s) for s, argument in sentinels.items()})
        if not sentinels:
            self._parts = [pattern]
            return
        # Literal text and argument names, alternating: the ids go in at once, never into each other.
        self._parts = [sentinels.get(part, part) for part in re.split(f"({'|'.join(sentinels)})", pattern)]
        if sorted(self._parts[1::2]) != sorted(arguments):
            raise ValueError(f"{name}: cannot place the ids in {pattern}")

    def __call__(self, **ids: int) -> str:
        parts = self._parts
        return "".join(part if n % 2 == 0 else str(int(ids[part])) for n, part in enumerate(parts))


_links: dict[tuple, ListLinks] = {}


def link(name: str, **ids: int) -> str:
    """`reverse(name, kwargs=ids)` for integer ids, the name reversed once per process (for each
    URLconf and script prefix) rather than on every call."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, *sorted(ids))
    links = _links.get(key)
    if links is None:
        links = _links[key] = ListLinks(name, *sorted(ids))
    return links(**ids)
