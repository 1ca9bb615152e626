"""A sweep's batch of events becomes its deliveries and their outbox rows in a fixed number of
statements, however many events and subscriptions, each delivery queued exactly once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integration.webhooks.listeners import DELIVER, write_deliveries
from integration.webhooks.models import WebhookDelivery
from portal.core.events import DomainEvent
from portal.core.models import OutboxStatus, OutboxTask
from portal.core.queue import enqueue_many_on_commit, held
from tests.factories.projects import MilestoneFactory, ProjectFactory
from tests.factories.webhooks import WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def _events(projects) -> list[DomainEvent]:
    return [
        DomainEvent("flag.raised", project.pk, "projects.Milestone", MilestoneFactory(project=project).pk)
        for project in projects
    ]


def _write(events, django_capture_on_commit_callbacks) -> tuple[int, int]:
    """(queries, callbacks queued) writing the deliveries of `events`."""
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        write_deliveries(events)
    return len(queries), len(callbacks)


@pytest.mark.parametrize("count", [2, 40])
def test_a_batch_costs_the_same_statements_for_2_or_40_events(
    count, cdmo, django_capture_on_commit_callbacks
):
    projects = ProjectFactory.create_batch(count, cdmo=cdmo)
    WebhookSubscriptionFactory(organization=cdmo, events=["flag.raised"])
    WebhookSubscriptionFactory(organization=cdmo, events=["flag.raised", "flag.cleared"])
    queries, callbacks = _write(_events(projects), django_capture_on_commit_callbacks)
    # The matching subscriptions, the deliveries, their outbox rows: three, whatever the count.
    assert queries == 3
    deliveries = WebhookDelivery.objects.all()
    assert deliveries.count() == 2 * count == callbacks
    rows = OutboxTask.objects.filter(task_name=DELIVER)
    assert sorted(row.args[0] for row in rows) == sorted(deliveries.values_list("pk", flat=True))
    assert {row.status for row in rows} == {OutboxStatus.PENDING} and all(row.sends == 1 for row in rows)


def test_held_the_rows_are_done_and_nothing_is_sent(django_capture_on_commit_callbacks):
    """Inside `held()` (the demo replaying its past) a batch written anyway is recorded as done."""
    with held(), django_capture_on_commit_callbacks() as callbacks:
        rows = enqueue_many_on_commit(DELIVER, [((1,), {}), ((2,), {"again": True})])
    assert not callbacks
    assert [(row.status, row.args, row.kwargs) for row in rows] == [
        (OutboxStatus.DONE, [1], {}),
        (OutboxStatus.DONE, [2], {"again": True}),
    ]
