"""What every part of the demo shares: the demo password and the one way to replay history.

The demo builds its history through the services the pages use. A step that happened three weeks
ago is replayed inside `replayed(at)`:

    with replayed(three_weeks_ago):
        update_publish(access=access_for(user=pm, project=project), update=draft, version=draft.version)

Inside the block `portal.core.clock.now()` answers `at`, so a service that stamps its rows with the
clock stamps them then; and the work the service queues (emails, notifications) is recorded in the
outbox as skipped and never sent (`portal.core.queue.held()`), so replaying history mails no one.

Not every service stamps its rows with the clock yet: where a service still stamps
`timezone.now()` (or a model field defaults to it), the demo sets the historical time on the rows
it wrote right after the call, with an UPDATE, and says so where it does it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterator

from portal.core import clock, queue

# Every demo login uses this password (the tests sign the demo people in with it too).
DEMO_PASSWORD = "portal-demo-2026"


@contextlib.contextmanager
def replayed(at: dt.datetime) -> Iterator[None]:
    """Replay a step of the demo's history at `at`: the clock answers `at`, queued work is held."""
    with clock.replaying(at), queue.held():
        yield


def at_local(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    """The instant of `hour:minute` on `day` in the time zone `zone`, in UTC."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.UTC)
