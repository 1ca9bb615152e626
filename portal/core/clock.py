"""The portal's one clock: what services stamp on the rows they write.

Services call `clock.now()` (and `clock.localdate()`) instead of `timezone.now()`. In the running
portal the two are the same. The demo replays its history through the services, so a status
update "published three weeks ago" is published by `update_publish` itself, stamped then:

    with clock.replaying(three_weeks_ago):
        update_publish(update, by=pm)

The replayed instant holds for the code inside the block only (a context variable, so threads and
other requests never see it). Model fields that default to `timezone.now` are not replayed.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_replayed_at: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("replayed_at", default=None)


def now() -> dt.datetime:
    """The current instant, or the replayed one inside `replaying()`."""
    at = _replayed_at.get()
    return at if at is not None else timezone.now()


def localdate() -> dt.date:
    """Today in the current time zone, by `now()`."""
    return timezone.localdate(now())


@contextlib.contextmanager
def replaying(at: dt.datetime) -> Iterator[None]:
    """Inside the block `now()` answers `at` (an aware datetime)."""
    if timezone.is_naive(at):
        raise ValueError("replaying() needs an aware datetime")
    token = _replayed_at.set(at)
    try:
        yield
    finally:
        _replayed_at.reset(token)
