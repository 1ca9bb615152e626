"""An organization admin's subscriptions: create, edit, pause and resume, rotate the secret (and
stop signing with the previous one early), deactivate, send a test event; and the automatic pause
of one that keeps failing.

Every write checks that the actor is an admin of the subscription's organization (the views
only ever load subscriptions of the viewer's own organization, so another's is a 404 first).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F

from portal.accounts.models import OrgRole, User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.notifications.services import notify
from portal.notifications.subjects import Subject

from . import signing
from .endpoints import endpoint_problem
from .listeners import DELIVER
from .models import TEST_EVENT, DeliveryStatus, SubscriptionStatus, WebhookDelivery, WebhookSubscription


def _require_admin(actor: User, subscription: WebhookSubscription | None = None) -> None:
    organization_id = subscription.organization_id if subscription else actor.organization_id
    if not (actor.is_org_admin and actor.organization_id == organization_id):
        raise NotAllowed("Only an admin of this organization manages its webhooks.")


def pause_after() -> int:
    return int(getattr(settings, "WEBHOOK_PAUSE_AFTER_FAILURES", 10))


def subscription_create(
    *, actor: User, url: str, events: list[str], description: str = ""
) -> tuple[WebhookSubscription, str]:
    """A new active subscription and its secret, in clear: shown to the admin once, never again."""
    _require_admin(actor)
    _check_endpoint(url, events)
    secret = signing.new_secret()
    with transaction.atomic(), audited(f"Webhook subscription created: {url}"):
        subscription = WebhookSubscription.objects.create(
            organization_id=actor.organization_id,
            url=url,
            description=description.strip(),
            events=sorted(set(events)),
            secret_encrypted=signing.encrypt(secret),
            secret_hint=secret[-4:],
            created_by=actor,
            created_at=clock.now(),
        )
    return subscription, secret


def _change(actor: User, subscription: WebhookSubscription, reason: str, *, expected, **values) -> None:
    """A compare-and-set on status and version: a second click or a second admin changes nothing
    behind the first's back."""
    _require_admin(actor, subscription)
    with transaction.atomic(), audited(reason):
        changed = WebhookSubscription.objects.filter(
            pk=subscription.pk, status__in=expected, version=subscription.version
        ).update(version=F("version") + 1, **values)
        if not changed:
            raise ConcurrentEditError(
                "This subscription was changed meanwhile; reload the page and try again."
            )
    subscription.refresh_from_db()


def _check_endpoint(url: str, events: list[str]) -> None:
    """What adding and editing refuse alike: no event, or an address the portal may not send to."""
    if not events:
        raise ServiceError("Choose at least one event.")
    problem = endpoint_problem(url)
    if problem:
        raise ServiceError(problem)


def subscription_edit(
    *,
    actor: User,
    subscription: WebhookSubscription,
    url: str,
    events: list[str],
    description: str = "",
    version: int | None = None,
) -> bool:
    """Change its endpoint, events and description (an active or paused one; a deactivated one is
    kept as it was). `version` is the one the admin's form was filled from: an edit made meanwhile
    by someone else is not overwritten. False when nothing changed (no write, no event)."""
    _require_admin(actor, subscription)
    _check_endpoint(url, events)
    if version is not None and version != subscription.version:
        raise ConcurrentEditError("This subscription was changed meanwhile; reload the page and try again.")
    values = {"url": url, "events": sorted(set(events)), "description": description.strip()}
    if all(getattr(subscription, name) == value for name, value in values.items()):
        return False
    _change(
        actor,
        subscription,
        f"Webhook subscription edited: {url}",
        expected=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED],
        **values,
    )
    return True


def subscription_pause(*, actor: User, subscription: WebhookSubscription) -> None:
    _change(
        actor,
        subscription,
        f"Webhook subscription paused: {subscription.url}",
        expected=[SubscriptionStatus.ACTIVE],
        status=SubscriptionStatus.PAUSED,
        paused_at=clock.now(),
        paused_reason=f"Paused by {actor}.",
    )


def subscription_resume(*, actor: User, subscription: WebhookSubscription) -> None:
    _change(
        actor,
        subscription,
        f"Webhook subscription resumed: {subscription.url}",
        expected=[SubscriptionStatus.PAUSED],
        status=SubscriptionStatus.ACTIVE,
        paused_at=None,
        paused_reason="",
        consecutive_failures=0,
    )


def subscription_deactivate(*, actor: User, subscription: WebhookSubscription) -> None:
    """Stop it for good; it and its delivery log are kept."""
    _change(
        actor,
        subscription,
        f"Webhook subscription deactivated: {subscription.url}",
        expected=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED],
        status=SubscriptionStatus.DEACTIVATED,
        deactivated_at=clock.now(),
    )


def overlap() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "WEBHOOK_SECRET_OVERLAP_HOURS", 24)))


def subscription_rotate_secret(*, actor: User, subscription: WebhookSubscription) -> str:
    """A new secret, returned in clear to be shown once. Deliveries sent from now on are signed
    with it and, for WEBHOOK_SECRET_OVERLAP_HOURS, with the secret it replaces too (two `v1=`), so
    the receiver can switch in its own time. A second rotation within the overlap keeps only the
    secret it replaces as the previous one: never more than two signatures."""
    secret = signing.new_secret()
    now = clock.now()
    _change(
        actor,
        subscription,
        f"Webhook secret rotated: {subscription.url}",
        expected=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED],
        secret_encrypted=signing.encrypt(secret),
        secret_hint=secret[-4:],
        secret_rotated_at=now,
        previous_secret_encrypted=subscription.secret_encrypted,
        previous_secret_hint=subscription.secret_hint,
        previous_secret_until=now + overlap(),
    )
    return secret


def subscription_end_overlap(*, actor: User, subscription: WebhookSubscription) -> None:
    """Stop signing with the previous secret now, before its overlap ends (the previous secret
    leaked): deliveries sent from now on carry the new secret's `v1=` only. The subscription no
    longer holds the previous secret; its hint stays for the page's changes."""
    _require_admin(actor, subscription)
    now = clock.now()
    if not subscription.previous_secret_signs_at(now):
        raise ServiceError("Only the current secret signs: there is no previous secret to stop.")
    _change(
        actor,
        subscription,
        f"Webhook signing with the previous secret stopped: {subscription.url}",
        expected=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED],
        previous_secret_encrypted="",
        previous_secret_until=now,
    )


def send_test_event(*, actor: User, subscription: WebhookSubscription) -> WebhookDelivery:
    """A "ping" delivery through the same path as every other (outbox, signature, retries)."""
    _require_admin(actor, subscription)
    if not subscription.is_active:
        raise ServiceError("Resume the subscription to send it a test event.")
    with transaction.atomic(), audited(f"Webhook test event sent: {subscription.url}"):
        now = clock.now()
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            event=TEST_EVENT,
            event_id=uuid.uuid4(),
            occurred_at=now,
            created_at=now,
            status=DeliveryStatus.PENDING,
        )
        enqueue_on_commit(DELIVER, delivery.pk)
    return delivery


def pause_if_failing(*, subscription_id: int, last_error: str) -> bool:
    """Pause a subscription whose last WEBHOOK_PAUSE_AFTER_FAILURES attempts all failed and tell
    its organization's admins, once (the compare-and-set lets one worker do it). Called by the
    worker inside the transaction that recorded the failure."""
    threshold = pause_after()
    now = clock.now()
    with audited("Webhook subscription paused after repeated failures"):
        paused = WebhookSubscription.objects.filter(
            pk=subscription_id, status=SubscriptionStatus.ACTIVE, consecutive_failures__gte=threshold
        ).update(
            status=SubscriptionStatus.PAUSED,
            paused_at=now,
            paused_reason=f"Paused after {threshold} failed attempts in a row. Last: {last_error}"[:300],
            version=F("version") + 1,
        )
    if not paused:
        return False
    subscription = WebhookSubscription.objects.get(pk=subscription_id)
    admins = User.objects.filter(
        organization_id=subscription.organization_id, org_role=OrgRole.ADMIN, is_active=True
    )
    notify(
        recipients=admins,
        kind="webhooks.paused",
        dedupe_key=f"webhooks.paused:subscription-{subscription.pk}:{now.isoformat()}",
        title=f"Webhook paused: {subscription.url}",
        body=(
            f"{threshold} deliveries in a row failed (last: {last_error or 'no answer'}). Nothing more "
            "is sent to it until an admin resumes it."
        ),
        url=subscription.get_absolute_url(),
        subject=Subject.of(subscription, code="Webhook", name=subscription.url),
    )
    return True
