"""Two beat processes started by mistake do not double any periodic task.

Two instances of the configured scheduler (what two `celery beat` processes run) find the same
tasks due at the same moment and send them to the real Redis; each task reaches the queue once
per schedule slot.
"""

import datetime as dt
import uuid

import pytest
import redis
import time_machine
from celery.schedules import schedule
from celery.utils.imports import symbol_by_name
from django.conf import settings

from portal.celery import app
from portal.core.beat import claim_slot, schedule_slot

pytestmark = pytest.mark.django_db(transaction=True)  # the scheduler commits on its own

AT = dt.datetime(2026, 3, 10, 14, 0, 5, tzinfo=dt.UTC)
EVERY_MINUTE = "monitoring: announce new and lasting flags"
HOURLY_CRONTAB = "notifications: daily digests (hourly, each person at their hour)"


@pytest.fixture
def test_queue():
    """Beat's messages go to a queue of this test's own on the real Redis (no worker takes them)."""
    name = f"beat-test-{uuid.uuid4().hex[:10]}"
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    yield name, lambda: client.llen(name)
    app.conf.task_always_eager = previous
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def _two_beats(queue_name):
    scheduler = symbol_by_name(settings.CELERY_BEAT_SCHEDULER)
    beats = [scheduler(app=app), scheduler(app=app)]
    for beat in beats:
        for entry in beat.schedule.values():
            entry.options["queue"] = queue_name
    return beats


def _both_send(beats, name):
    for beat in beats:
        beat.apply_entry(beat.schedule[name])


def test_two_beats_send_each_periodic_task_once_per_slot(test_queue):
    queue_name, queued = test_queue
    with time_machine.travel(AT, tick=False):
        beats = _two_beats(queue_name)
        _both_send(beats, EVERY_MINUTE)
        assert queued() == 1
        _both_send(beats, HOURLY_CRONTAB)
        assert queued() == 2
    # The next minute is a new slot for the minutely task, not for the hourly one's minute.
    with time_machine.travel(AT + dt.timedelta(seconds=60), tick=False):
        _both_send(beats, EVERY_MINUTE)
        assert queued() == 3
    with time_machine.travel(AT + dt.timedelta(seconds=61), tick=False):
        _both_send(beats, EVERY_MINUTE)
        assert queued() == 3


def test_one_beat_firing_every_period_gets_a_new_slot_each_time():
    every_minute = app.conf.beat_schedule[EVERY_MINUTE]["schedule"]
    minutely = schedule(dt.timedelta(seconds=every_minute))
    fired = [AT + dt.timedelta(seconds=59.99 + 60 * n) for n in range(5)]
    slots = [schedule_slot(minutely, moment) for moment in fired]
    assert len(set(slots)) == 5
    assert [claim_slot(name="test: minutely", slot=slot) for slot in slots] == [True] * 5
    assert claim_slot(name="test: minutely", slot=slots[-1]) is False  # a second beat, same slot
    assert claim_slot(name="test: minutely", slot=slots[0]) is False  # never backwards
