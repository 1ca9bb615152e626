"""A beat scheduler that two beat processes can share without doubling any periodic task.

Beat keeps its own clock per process, so two beats started by mistake both find every task due.
Before sending, this scheduler claims the task's schedule slot in PostgreSQL with one upsert that
only moves forward (`BeatClaim`): the first beat to reach a slot sends the task, every other beat
skips that slot. The slot of an interval schedule is the current multiple of its period since the
epoch (one beat firing every period gets a new slot each time); of a crontab, the current minute.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from celery.schedules import crontab, schedule
from django.db import connection
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from .models import BeatClaim

logger = logging.getLogger(__name__)

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def schedule_slot(entry_schedule, now: dt.datetime) -> dt.datetime:
    """The slot `now` falls in for this schedule (see the module docstring)."""
    if isinstance(entry_schedule, schedule) and not isinstance(entry_schedule, crontab):
        period = entry_schedule.run_every.total_seconds()
        if period >= 1:
            elapsed = (now - EPOCH).total_seconds()
            return EPOCH + dt.timedelta(seconds=(elapsed // period) * period)
    return now.replace(second=0, microsecond=0)


def claim_slot(*, name: str, slot: dt.datetime, by: str = "") -> bool:
    """True for exactly one caller per (name, slot), whatever the number of processes."""
    table = connection.ops.quote_name(BeatClaim._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, slot, claimed_at, claimed_by) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET slot = EXCLUDED.slot, claimed_at = EXCLUDED.claimed_at, "
            f"claimed_by = EXCLUDED.claimed_by WHERE {table}.slot < EXCLUDED.slot RETURNING id",
            [name, slot, timezone.now(), by[:200]],
        )
        return cursor.fetchone() is not None


class ClaimingScheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler (schedules in the admin) that claims each slot first."""

    def __init__(self, *args, **kwargs):
        self.claimant = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        super().__init__(*args, **kwargs)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        slot = schedule_slot(entry.schedule, timezone.now())
        if not claim_slot(name=entry.name, slot=slot, by=self.claimant):
            logger.info("Beat: %s for %s was sent by another beat process; skipped", entry.name, slot)
            if advance:
                self.reserve(entry)
            return None
        return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
