"""Domain events become deliveries, in the transaction of the change.

`portal.core.signals.domain_event` is sent by the service that made the change, inside its
transaction; this listener writes one `WebhookDelivery` per matching active subscription and
one outbox row per delivery (`enqueue_many_on_commit`), in that same transaction: a rollback drops
them with the change, a commit never loses them.

Tenancy: a subscription hears only the events of projects its organization is party to (the
project's sponsor or CDMO), and a sponsor's subscription never hears an event meant for the
CDMO alone (`audience`). What a payload says is decided again when it is sent (payloads.py).

Cost: one query finds the subscriptions for every event of the batch (a sweep sends hundreds at
once), one INSERT writes their deliveries and one their outbox rows; nothing more when none
match, which is the case for most organizations.
"""

from __future__ import annotations

from django.db import connection

from portal.core import clock
from portal.core.events import CDMO, DomainEvent
from portal.core.queue import enqueue_many_on_commit, is_held
from projects.models import Project

from .models import DeliveryStatus, SubscriptionStatus, WebhookDelivery, WebhookSubscription

DELIVER = "integration.webhooks.tasks.deliver"

_MATCHING = """
SELECT s.id, s.events, p.id, s.organization_id = p.sponsor_id
FROM {subscriptions} s
JOIN {projects} p ON s.organization_id IN (p.sponsor_id, p.cdmo_id)
WHERE p.id = ANY(%s) AND s.status = %s
"""


def on_domain_event(sender, events: list[DomainEvent], **kwargs) -> None:
    # A replayed past (the demo) tells nobody's systems anything.
    if is_held():
        return
    write_deliveries(events)


def write_deliveries(events: list[DomainEvent]) -> list[WebhookDelivery]:
    """The deliveries of `events` and their outbox rows, in the caller's transaction."""
    deliveries = _deliveries(events)
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
        enqueue_many_on_commit(DELIVER, [((delivery.pk,), {}) for delivery in deliveries])
    return deliveries


def _matching(project_ids: set[int]) -> dict[int, list[tuple[int, list[str], bool]]]:
    """project id -> [(subscription id, its events, is the sponsor's)] of active subscriptions."""
    sql = _MATCHING.format(subscriptions=WebhookSubscription._meta.db_table, projects=Project._meta.db_table)
    found: dict[int, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(project_ids), SubscriptionStatus.ACTIVE])
        for subscription_id, names, project_id, is_sponsor in cursor.fetchall():
            found.setdefault(project_id, []).append((subscription_id, names, is_sponsor))
    return found


def _deliveries(events: list[DomainEvent]) -> list[WebhookDelivery]:
    matching = _matching({event.project_id for event in events})
    if not matching:
        return []
    now = clock.now()
    return [
        WebhookDelivery(
            subscription_id=subscription_id,
            event=event.name,
            event_id=event.event_id,
            project_id=event.project_id,
            subject_label=event.subject_label,
            subject_id=event.subject_id,
            occurred_at=event.occurred_at,
            created_at=now,
            status=DeliveryStatus.PENDING,
        )
        for event in events
        for subscription_id, names, is_sponsor in matching.get(event.project_id, [])
        if event.name in names and not (is_sponsor and event.audience == CDMO)
    ]
