"""Beat schedules are defined in code and show up (and can be paused) in the admin."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from portal.celery import app

OURS = {
    "notifications.deliver_pending",
    "notifications.recover_stuck_deliveries",
    "notifications.send_digests",
}


def test_every_scheduled_notification_task_exists():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert OURS <= scheduled
    app.loader.import_default_modules()
    assert OURS <= set(app.tasks)


# Beat's scheduler manages its own connections and commits: it needs a real (committing) database.
@pytest.mark.django_db(transaction=True)
def test_beat_copies_the_schedule_into_the_database_and_a_pause_survives_a_restart():
    DatabaseScheduler(app=app)  # what `celery beat` does on start
    stored = {task.task: task for task in PeriodicTask.objects.filter(task__in=OURS)}
    assert set(stored) == OURS
    assert stored["notifications.send_digests"].crontab.minute == "0"
    assert stored["notifications.deliver_pending"].interval.every == 60

    # Staff pause the digests in the admin; beat restarts (a deploy) and keeps the pause.
    PeriodicTask.objects.filter(task="notifications.send_digests").update(enabled=False)
    DatabaseScheduler(app=app)
    assert not PeriodicTask.objects.get(task="notifications.send_digests").enabled
    assert PeriodicTask.objects.get(task="notifications.deliver_pending").enabled
