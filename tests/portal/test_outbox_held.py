"""Held work (portal.core.queue.held): what the demo uses to replay history through the services.

Work asked for inside `held()` is written to the outbox, so the record of what the services asked
for is complete, but it is never sent: no message reaches Celery, the relay leaves it alone and
no one is mailed. Outside the block nothing changes.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from demo.common import replayed
from portal.core import clock, queue
from portal.core.models import OutboxStatus, OutboxTask
from projects import services
from projects.tasks import notify_update_published
from tests.projects.update_helpers import access, ready_draft

AT = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def _publish(pm, project):
    draft = ready_draft(pm, project)
    return services.update_publish(access=access(pm, project), update=draft, version=draft.version)


@pytest.mark.django_db
def test_work_asked_for_while_held_is_recorded_as_done_and_never_sent(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, queue.held():
        update = _publish(cdmo_pm, project)
    assert callbacks == []  # nothing waits for the commit: no message is ever published
    (row,) = OutboxTask.objects.all()
    assert (row.task_name, row.args) == (notify_update_published.name, [update.pk])
    assert (row.status, row.sends, row.runs, row.queued_at) == (OutboxStatus.DONE, 0, 0, None)
    assert row.finished_at is not None
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_relay_never_sends_held_work(project, cdmo_pm, django_capture_on_commit_callbacks):
    with time_machine.travel(AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True), queue.held():
            _publish(cdmo_pm, project)
    with (
        time_machine.travel(AT + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert queue.relay_outbox() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_work_after_the_block_is_sent_as_usual(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with queue.held():
            held_update = _publish(cdmo_pm, project)
        sent_update = _publish(cdmo_pm, project)
    held_row = OutboxTask.objects.get(args=[held_update.pk])
    sent_row = OutboxTask.objects.get(args=[sent_update.pk])
    assert (held_row.runs, sent_row.runs) == (0, 1)
    assert sent_row.status == OutboxStatus.DONE
    assert sorted(m.to[0] for m in mail.outbox) == [decision_maker.email, sponsor_lead.email]


def test_held_ends_with_its_block_even_when_it_raises():
    with pytest.raises(RuntimeError), queue.held():
        assert queue._held.get()
        raise RuntimeError("a demo step failed")
    assert not queue._held.get()


def test_replayed_sets_the_clock_and_holds_the_work_for_its_block_only():
    with replayed(AT):
        assert clock.now() == AT
        assert queue._held.get()
    assert clock.now() != AT
    assert not queue._held.get()


@pytest.mark.django_db
def test_work_named_by_its_task_name_is_held_too(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, queue.held():
        row = queue.enqueue_on_commit(notify_update_published.name, 7)
    assert callbacks == [] and (row.task_name, row.args, row.status) == (
        notify_update_published.name,
        [7],
        OutboxStatus.DONE,
    )
