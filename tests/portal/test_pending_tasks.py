"""With the broker (Redis) down, pages work and queued work waits in the outbox (PostgreSQL)."""

import datetime
import logging

import pytest
import time_machine
from django.core import mail

from portal.core import queue
from portal.core.models import OutboxStatus, OutboxTask
from portal.core.tasks import relay_outbox
from projects import services
from tests.projects.update_helpers import access, ready_draft

pytestmark = pytest.mark.django_db(transaction=True)

AT = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)


def test_an_update_published_while_redis_is_down_is_emailed_once_redis_is_back(
    project, cdmo_pm, sponsor_lead, decision_maker, broker_down, caplog
):
    draft = ready_draft(cdmo_pm, project)
    with time_machine.travel(AT, tick=True), caplog.at_level(logging.ERROR, logger="portal.core.queue"):
        update = services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    assert update.status == "published"  # the publish itself went through
    assert "kept in the outbox" in caplog.text
    (kept,) = OutboxTask.objects.all()
    assert kept.task_name == "projects.tasks.notify_update_published"
    assert kept.args == [update.pk] and kept.queued_at is None and kept.error
    assert kept.status == OutboxStatus.PENDING and kept.sends == 0
    assert mail.outbox == []

    # Still down: the row waits, nothing is lost.
    assert queue.relay_outbox() == 0
    kept.refresh_from_db()
    assert kept.queued_at is None and kept.status == OutboxStatus.PENDING

    broker_down()  # Redis is back (tasks run eagerly in tests)
    assert relay_outbox.delay().get() >= 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sponsor_lead.email, decision_maker.email])
    kept.refresh_from_db()
    assert kept.status == OutboxStatus.DONE and kept.finished_at is not None

    # A second run finds nothing left to send, and nobody gets the email twice.
    assert queue.relay_outbox() == 0
    assert len(mail.outbox) == 2


def test_a_task_this_version_no_longer_has_is_kept_for_a_person(broker_down):
    broker_down()
    row = OutboxTask.objects.create(task_name="projects.tasks.gone_in_this_release", args=[1])
    assert queue.relay_outbox() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and "gone_in_this_release" in row.error


def test_the_beat_schedule_relays_unfinished_work_every_half_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["core: relay background work not finished in time"]
    assert entry == {"task": "core.relay_outbox", "schedule": 30.0}


def test_pages_render_while_redis_is_down(client, project, sponsor_lead, broker_down):
    client.force_login(sponsor_lead)
    for url in ("/projects/", project.get_absolute_url(), "/dashboard/", "/notifications/"):
        assert client.get(url).status_code == 200, url
