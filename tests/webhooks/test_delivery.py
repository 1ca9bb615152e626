"""Signed webhooks delivered to a real HTTP receiver on loopback (tests/webhooks/conftest.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.db import transaction

from integration.webhooks import sending, services, signing
from integration.webhooks.listeners import DELIVER
from integration.webhooks.models import DeliveryStatus, SubscriptionStatus, WebhookDelivery
from integration.webhooks.tasks import deliver
from portal.accounts.models import OrgRole
from portal.core.events import CDMO, DomainEvent, emit_many
from portal.core.models import OutboxStatus, OutboxTask, task_id_for
from portal.notifications.models import Notification
from projects import services as update_services
from tests.factories.organizations import UserFactory
from tests.factories.webhooks import SECRET, WebhookSubscriptionFactory
from tests.projects.update_helpers import access, published_update, ready_draft

pytestmark = pytest.mark.django_db


def _run(delivery: WebhookDelivery) -> None:
    """The worker runs the delivery's outbox message (what the broker or the relay hands it)."""
    row = OutboxTask.objects.get(task_name=DELIVER, args=[delivery.pk])
    deliver.apply(args=[delivery.pk], task_id=task_id_for(row.pk))


def test_a_published_update_arrives_signed_and_verifiable(
    project, cdmo_pm, sponsor_lead, receiver, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        update = published_update(cdmo_pm, project, title="EB-02 complete")

    assert len(receiver.received) == 1
    request = receiver.received[0]
    assert request.verifies()
    assert not request.verifies("whsec_some-other-secret")
    body = request.json
    delivery = WebhookDelivery.objects.get()
    assert body["event"] == "update.published"
    assert body["id"] == str(delivery.event_id) == request.headers["Meridian-Event-Id"]
    assert body["project"]["code"] == "ACM-101"
    assert body["subject"] == {
        **body["subject"],
        "type": "status_update",
        "id": update.pk,
        "title": "EB-02 complete",
        "status": "published",
    }
    assert body["subject"]["url"].endswith(update.get_absolute_url())
    timestamp = int(request.headers[signing.HEADER].split(",")[0].removeprefix("t="))
    assert abs(time.time() - timestamp) < 30
    assert (delivery.subscription_id, delivery.status, delivery.response_code, delivery.attempts) == (
        subscription.pk,
        DeliveryStatus.DELIVERED,
        200,
        1,
    )
    assert delivery.duration_ms is not None
    assert OutboxTask.objects.get(task_name=DELIVER).status == OutboxStatus.DONE


def test_the_signature_refuses_a_replay_and_a_changed_body(receiver):
    body = b'{"event":"ping"}'
    header = signing.signature("whsec_x", body, int(time.time()))
    assert signing.verify("whsec_x", body, header)
    assert not signing.verify("whsec_x", body + b" ", header)
    assert not signing.verify("whsec_x", body, header, now=time.time() + signing.TOLERANCE_SECONDS + 1)
    assert not signing.verify("whsec_x", body, "t=abc,v1=00")


def test_the_delivery_and_its_outbox_row_are_written_in_the_transaction_of_the_change(
    project, cdmo_pm, sponsor_lead, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    draft = ready_draft(cdmo_pm, project)

    class Abandon(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abandon), transaction.atomic():
        update_services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
        # Inside the transaction: the delivery and its outbox row are there with the change.
        delivery = WebhookDelivery.objects.get()
        assert OutboxTask.objects.filter(task_name=DELIVER, args=[delivery.pk]).exists()
        raise Abandon
    assert not WebhookDelivery.objects.exists()
    assert not OutboxTask.objects.filter(task_name=DELIVER).exists()
    assert receiver.received == []


def test_a_failed_attempt_is_retried_with_back_off_then_delivered_once(
    project, cdmo_pm, sponsor_lead, receiver, settings, broker_down
):
    """The worker's attempts, one by one (the broker is down: nothing runs by itself; in a worker
    the task's retry brings the same outbox row back after the returned wait)."""
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    receiver.answers = [500, 502]
    published_update(cdmo_pm, project)
    delivery = WebhookDelivery.objects.get()
    assert [sending.attempt(delivery.pk), sending.attempt(delivery.pk)] == [30, 60]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.PENDING, 502, 2)
    assert delivery.next_attempt_at - delivery.last_attempt_at >= dt.timedelta(seconds=60)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 2

    assert sending.attempt(delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.DELIVERED, 200, 3)
    assert [a["code"] for a in delivery.attempt_log] == [500, 502, 200]
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0
    # A duplicate message, the relay's re-send or a re-run by hand sends nothing more.
    assert sending.attempt(delivery.pk) is None
    broker_down()  # eager again: the outbox message itself runs, and finds nothing to send
    _run(delivery)
    assert len(receiver.received) == 3
    assert [r.json["id"] for r in receiver.received] == [str(delivery.event_id)] * 3
    assert all(r.verifies() for r in receiver.received)
    assert OutboxTask.objects.get(task_name=DELIVER).status == OutboxStatus.DONE


def test_a_subscription_that_keeps_failing_is_paused_and_its_admins_told(
    project, cdmo_pm, sponsor_lead, receiver, settings, broker_down, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    admin = UserFactory(organization=project.sponsor, org_role=OrgRole.ADMIN)
    receiver.answers = [503] * 10
    published_update(cdmo_pm, project)
    first = WebhookDelivery.objects.get()
    assert sending.attempt(first.pk) == 30
    assert sending.attempt(first.pk) is None  # the last attempt: failed for good
    first.refresh_from_db()
    assert (first.status, first.attempts) == (DeliveryStatus.FAILED, 2)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.consecutive_failures) == (SubscriptionStatus.ACTIVE, 2)

    published_update(cdmo_pm, project, title="Second update")
    second = WebhookDelivery.objects.exclude(pk=first.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        sending.attempt(second.pk)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAUSED
    assert "3 failed attempts in a row" in subscription.paused_reason
    told = Notification.objects.filter(kind="webhooks.paused")
    assert {n.recipient_id for n in told} == {admin.pk, subscription.created_by_id}
    assert sponsor_lead.pk not in {n.recipient_id for n in told}

    # Paused: the pending retry is not sent, and new events write no delivery.
    assert sending.attempt(second.pk) is None
    second.refresh_from_db()
    assert second.status == DeliveryStatus.SKIPPED
    published_update(cdmo_pm, project, title="Third update")
    assert WebhookDelivery.objects.count() == 2
    assert len(receiver.received) == 3


def test_an_organization_hears_only_of_its_own_projects(
    project, cdmo_pm, sponsor_lead, outsider, receiver, django_capture_on_commit_callbacks
):
    mine = WebhookSubscriptionFactory(organization=project.sponsor, url=f"{receiver.url}/sponsor")
    theirs = WebhookSubscriptionFactory(organization=outsider.organization, url=f"{receiver.url}/other")
    cdmo = WebhookSubscriptionFactory(organization=project.cdmo, url=f"{receiver.url}/cdmo")
    with django_capture_on_commit_callbacks(execute=True):
        published_update(cdmo_pm, project)
    assert sorted(r.path for r in receiver.received) == ["/hooks/cdmo", "/hooks/sponsor"]
    assert not WebhookDelivery.objects.filter(subscription=theirs).exists()
    assert WebhookDelivery.objects.filter(subscription__in=[mine, cdmo]).count() == 2


def test_an_event_for_the_cdmo_alone_never_reaches_the_sponsor(project, cdmo_pm, sponsor_lead, receiver):
    sponsor_side = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    cdmo_side = WebhookSubscriptionFactory(organization=project.cdmo, url=receiver.url)
    update = published_update(cdmo_pm, project)
    before = set(WebhookDelivery.objects.values_list("pk", flat=True))
    with transaction.atomic():
        emit_many([DomainEvent("update.published", project.pk, update._meta.label, update.pk, audience=CDMO)])
    new = WebhookDelivery.objects.exclude(pk__in=before)
    assert [d.subscription_id for d in new] == [cdmo_side.pk]
    assert sponsor_side.pk not in {d.subscription_id for d in new}


def test_a_subscription_not_asking_for_an_event_does_not_get_it(project, cdmo_pm, sponsor_lead):
    WebhookSubscriptionFactory(organization=project.sponsor, events=["meeting.cancelled"])
    published_update(cdmo_pm, project)
    assert not WebhookDelivery.objects.exists()


def test_a_test_event_goes_the_same_signed_way(project, receiver, django_capture_on_commit_callbacks):
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(actor=subscription.created_by, subscription=subscription)
    (request,) = receiver.received
    assert request.verifies()
    assert (request.json["event"], request.json["project"]) == ("ping", None)


def test_an_endpoint_on_a_private_address_is_never_called(project, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    assert sending.destination_problem("http://127.0.0.1:9/hooks") == "The endpoint must use https://."
    assert "private or local" in sending.destination_problem("https://127.0.0.1:9/hooks")
    assert "private or local" in sending.destination_problem("https://10.1.2.3/hooks")


@time_machine.travel("2026-03-02 09:00:00+00:00", tick=True)
def test_the_timestamp_is_the_sending_time(
    project, cdmo_pm, sponsor_lead, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        published_update(cdmo_pm, project)
    (request,) = receiver.received
    header = request.headers[signing.HEADER]
    sent_at = int(header.split(",")[0].removeprefix("t="))
    assert abs(sent_at - dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC).timestamp()) < 60
    assert request.verifies()
    # An hour later the same request is a replay.
    assert not signing.verify(SECRET, request.body, header, now=sent_at + 3600)


def test_a_secret_the_key_no_longer_opens_is_a_failed_attempt_not_a_crash(
    project, cdmo_pm, sponsor_lead, receiver, settings, broker_down
):
    WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    published_update(cdmo_pm, project)
    settings.WEBHOOK_SECRET_KEY = "a key set after the secret was stored"
    delivery = WebhookDelivery.objects.get()
    assert sending.attempt(delivery.pk) == settings.WEBHOOK_RETRY_BASE_SECONDS
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.PENDING, None)
    assert "rotate the secret" in delivery.error
    assert receiver.received == []
