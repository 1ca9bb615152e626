"""Delivery: the claim, retries with backoff, recovery after a dead worker, the safety net, a dead broker."""

import datetime as dt
import logging
import smtplib

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portal.notifications import delivery, tasks
from portal.notifications.models import EmailStatus, Notification
from portal.notifications.services import notify
from projects.notifications import project_subject
from tests.factories.notifications import NotificationFactory
from tests.factories.organizations import UserFactory


def _sent_ids() -> list[int]:
    return sorted(int(message.extra_headers["X-Meridian-Notification"]) for message in mail.outbox)


@pytest.mark.django_db
def test_a_notification_is_claimed_and_sent_once_however_often_delivery_runs():
    notification = NotificationFactory()

    assert delivery.deliver_email(notification_id=notification.pk) == delivery.SENT
    assert delivery.deliver_email(notification_id=notification.pk) == delivery.NOT_CLAIMED
    tasks.deliver_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 1
    assert _sent_ids() == [notification.pk]


@pytest.mark.django_db
def test_a_notification_another_worker_is_sending_is_left_alone():
    notification = NotificationFactory(email_status=EmailStatus.SENDING, email_claimed_at=timezone.now())
    assert delivery.deliver_email(notification_id=notification.pk) == delivery.NOT_CLAIMED
    assert mail.outbox == []


@pytest.mark.django_db
def test_provider_failures_are_retried_until_the_email_is_sent(flaky_provider):
    flaky_provider.failures_left = 2
    notification = NotificationFactory()

    # Eager Celery runs the retries at once; a real worker waits (see test_workers.py).
    tasks.deliver_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 3
    assert notification.email_last_error == ""
    assert _sent_ids() == [notification.pk]


@pytest.mark.django_db
def test_an_email_the_provider_keeps_refusing_ends_failed_with_the_error(flaky_provider, caplog):
    flaky_provider.failures_left = 100
    notification = NotificationFactory()

    with caplog.at_level(logging.ERROR, logger="portal.notifications.delivery"):
        tasks.deliver_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == delivery.MAX_ATTEMPTS == 6
    assert "SMTPServerDisconnected" in notification.email_last_error
    assert flaky_provider.failures_left == 100 - 6
    assert mail.outbox == []
    assert f"notification {notification.pk} failed after 6 attempt(s)" in caplog.text


@pytest.mark.django_db
def test_a_refused_address_fails_at_once_without_retrying(flaky_provider):
    flaky_provider.failures_left = 5
    flaky_provider.error = smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})
    notification = NotificationFactory()

    tasks.deliver_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == 1


@pytest.mark.django_db
def test_a_failed_attempt_puts_the_email_back_with_exponential_backoff(flaky_provider, settings):
    settings.NOTIFICATION_RETRY_BACKOFF_SECONDS = 60
    flaky_provider.failures_left = 1
    notification = NotificationFactory()

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        with pytest.raises(delivery.DeliveryDeferred) as deferred:
            delivery.deliver_email(notification_id=notification.pk)

    assert deferred.value.retry_in == 60
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_claimed_at is None
    assert notification.email_next_attempt_at == dt.datetime(2026, 3, 2, 9, 1, tzinfo=dt.UTC)
    assert [delivery.retry_backoff_seconds(n) for n in range(1, 8)] == [60, 120, 240, 480, 960, 1920, 3600]


@pytest.mark.django_db
def test_a_person_deactivated_before_sending_gets_no_email():
    notification = NotificationFactory(recipient=UserFactory(is_active=False))
    assert delivery.deliver_email(notification_id=notification.pk) == delivery.SKIPPED
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SKIPPED
    assert mail.outbox == []


@pytest.mark.django_db
def test_emails_a_dead_worker_left_are_sent_again_and_nothing_is_doubled(committed):
    """As a killed worker leaves them: some sent, one claimed ("sending"), the rest pending and unqueued."""
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        rows = NotificationFactory.create_batch(10)
        for row in rows[:4]:
            assert delivery.deliver_email(notification_id=row.pk) == delivery.SENT
        Notification.objects.filter(pk=rows[4].pk).update(
            email_status=EmailStatus.SENDING, email_claimed_at=timezone.now(), email_attempts=1
        )
    already_sent = _sent_ids()

    # A minute on, the claim might still be alive (a send may take up to the SMTP timeout):
    # recovery leaves it alone, and so does a duplicate delivery task.
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False), committed():
        assert delivery.recover_stuck_deliveries() == []
        assert delivery.deliver_email(notification_id=rows[4].pk) == delivery.NOT_CLAIMED

    # Within two minutes of the claim (beat runs recovery every 30 s) it is sent again.
    with time_machine.travel(start + dt.timedelta(minutes=1, seconds=45), tick=False), committed():
        tasks.recover_stuck_deliveries.delay()
        tasks.deliver_pending.delay()

    assert Notification.objects.exclude(email_status=EmailStatus.SENT).count() == 0
    assert _sent_ids() == sorted(row.pk for row in rows)  # each exactly once
    assert set(already_sent) <= set(_sent_ids())
    rows[4].refresh_from_db()
    assert rows[4].email_attempts == 2  # the dead worker's claim, then the one that sent it

    # Running the safety nets again sends nothing more.
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False), committed():
        tasks.recover_stuck_deliveries.delay()
        tasks.deliver_pending.delay()
    assert len(mail.outbox) == 10


@pytest.mark.django_db
def test_an_email_that_kept_killing_workers_is_given_up(committed):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        row = NotificationFactory(
            email_status=EmailStatus.SENDING,
            email_claimed_at=timezone.now(),
            email_attempts=delivery.MAX_ATTEMPTS,
        )
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False), committed():
        assert delivery.recover_stuck_deliveries() == []
    row.refresh_from_db()
    assert row.email_status == EmailStatus.FAILED
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_safety_net_queues_only_overdue_pending_emails_and_only_once_in_a_while(committed):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        overdue = NotificationFactory(email_next_attempt_at=timezone.now() - dt.timedelta(minutes=2))
        fresh = NotificationFactory(email_next_attempt_at=timezone.now())  # its task is on the way
        waiting_for_retry = NotificationFactory(
            email_next_attempt_at=timezone.now() + dt.timedelta(minutes=8)
        )
        NotificationFactory(email_status=EmailStatus.DIGEST)
        NotificationFactory(email_status=EmailStatus.FAILED)

        # Outside committed(), the queued tasks stay unsent: we only look at what gets queued.
        assert delivery.queue_due_deliveries() == [overdue.pk]
        # Queued but not yet sent (a slow worker): not queued again a minute later...
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        assert delivery.queue_due_deliveries() == [fresh.pk]
    # ...but five minutes on, if it is still pending, the task must have been lost.
    with time_machine.travel(start + dt.timedelta(minutes=6, seconds=1), tick=False), committed():
        assert sorted(delivery.queue_due_deliveries()) == [overdue.pk]
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False), committed():
        assert sorted(delivery.queue_due_deliveries()) == [fresh.pk, waiting_for_retry.pk]
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == 3
    assert _sent_ids() == sorted([overdue.pk, fresh.pk, waiting_for_retry.pk])


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_notify_still_works_and_the_email_goes_out_later_once(
    cdmo_pm, broker_down, caplog
):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=True), caplog.at_level(logging.ERROR, logger="portal.core.queue"):
        (row,) = notify(
            recipients=[cdmo_pm],
            kind="reminder.update_due",
            dedupe_key="reminder.update_due:project-1:2026-03-03",
            title="Status update due tomorrow",
            body="",
            url="/projects/",
        )  # autocommit: the on-commit queueing ran, and failed quietly
    assert "not queued" in caplog.text
    row.refresh_from_db()
    assert row.email_status == EmailStatus.PENDING
    assert mail.outbox == []

    # The broker is back; the next safety-net run finds the email and sends it, once.
    broker_down()
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        tasks.deliver_pending.delay()
        tasks.deliver_pending.delay()
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENT
    assert _sent_ids() == [row.pk]


@pytest.mark.django_db(transaction=True)
def test_notifying_many_people_with_the_broker_down_costs_one_failed_broker_call(
    project, cdmo_pm, sponsor_lead, decision_maker, cdmo_sme, broker_down, caplog
):
    """A page that tells four people waits for the broker once, not four times."""
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    people = [cdmo_pm, sponsor_lead, decision_maker, cdmo_sme]
    with time_machine.travel(start, tick=True), caplog.at_level(logging.ERROR, logger="portal.core.queue"):
        created = notify(
            recipients=people,
            kind="meeting.scheduled",
            dedupe_key="meeting.scheduled:meeting-9:2026-03-05",
            title="Steering committee on 5 March",
            body="",
            url="/projects/",
            subject=project_subject(project),
        )
    assert len(created) == 4
    assert caplog.text.count("not queued") == 1

    broker_down()
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        tasks.deliver_pending.delay()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
