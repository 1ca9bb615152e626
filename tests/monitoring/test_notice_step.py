"""Flags a killed sweep raised are announced by the next run of the notice step (every minute),
not by the next sweep a quarter hour later."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from oversight.monitoring import tasks
from oversight.monitoring.models import Flag
from oversight.monitoring.services import sweep
from portal.notifications.models import Notification
from tests.factories.projects import staff_project

NOW = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def late_project(db):
    project = staff_project(start_date=dt.date(2026, 1, 5), update_cadence_days=7)
    project.last_update_published_at = NOW - dt.timedelta(days=12)
    project.next_update_due = timezone.localdate(project.last_update_published_at) + dt.timedelta(days=7)
    project.save()
    return project


def test_flags_a_killed_sweep_raised_are_announced_by_the_next_notice_step(
    late_project, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        sweep(now=NOW, notify=False)  # the rules committed, then the process died before the notices
    assert Flag.objects.filter(project=late_project, cleared_at__isnull=True).exists()
    assert not Notification.objects.filter(kind="flag.raised").exists()

    with (
        time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.send_flag_notices.delay().get() > 0
    assert Notification.objects.about(late_project).filter(kind="flag.raised").exists()

    # The next run, and the next sweep, tell nobody twice.
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        assert tasks.send_flag_notices.delay().get() == 0
        assert sweep(now=NOW + dt.timedelta(minutes=2)).notices == 0


def test_beat_runs_the_notice_step_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring: announce new and lasting flags"]
    assert entry == {"task": "monitoring.send_flag_notices", "schedule": 60.0}
