"""The transactional outbox: work is written with the change, relayed when lost, done once, and a
task that cannot succeed is recorded where staff and the person who triggered it see it.

Tasks run eagerly here (the real task code, in-process); the broker and worker faults are in
test_fault_redis_worker.py.
"""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from portal.accounts.models import OrgRole
from portal.celery import app
from portal.core import queue
from portal.core.models import OutboxStatus, OutboxTask, task_id_for
from portal.notifications.models import Notification
from portal.organizations import tasks as organization_tasks
from portal.organizations.models import Invitation
from projects import services
from projects.tasks import notify_update_published
from tests.factories.organizations import UserFactory
from tests.notifications.backends import FlakyBackend
from tests.projects.update_helpers import access, ready_draft
from tests.staff import staff_user

AT = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def sponsor_admin(sponsor):
    return UserFactory(
        organization=sponsor, org_role=OrgRole.ADMIN, full_name="Susan Clarke", email="admin@acme.test"
    )


@pytest.fixture
def failing_provider(settings):
    """The email provider fails every send the way FlakyBackend.error says; failures are
    recorded, not raised into the test (as in a worker)."""
    app.conf.task_eager_propagates = False  # the autouse celery_eager fixture restores it
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    mail.outbox = []
    FlakyBackend.failures_left = 10_000
    yield FlakyBackend
    FlakyBackend.failures_left = 0
    FlakyBackend.error = FlakyBackend.default_error


def _publish(pm, project):
    draft = ready_draft(pm, project)
    return services.update_publish(access=access(pm, project), update=draft, version=draft.version)


@pytest.mark.django_db
def test_work_asked_for_by_a_change_that_rolls_back_is_never_sent(
    project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    draft = ready_draft(cdmo_pm, project)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
            assert OutboxTask.objects.filter(task_name=notify_update_published.name).count() == 1
            raise RuntimeError("the page failed after the publish")
    assert not OutboxTask.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_work_is_written_with_the_change_and_done_once_after_commit(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update = _publish(cdmo_pm, project)
    (row,) = OutboxTask.objects.all()  # in the same transaction as the publish
    assert (row.task_name, row.args, row.status) == (notify_update_published.name, [update.pk], "pending")
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:  # the commit
            callback()
    row.refresh_from_db()
    assert row.status == OutboxStatus.DONE and row.runs == 1
    assert sorted(m.to[0] for m in mail.outbox) == [decision_maker.email, sponsor_lead.email]


@pytest.mark.django_db
def test_a_message_lost_with_redis_is_sent_again_by_the_relay_once_its_lease_runs_out(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_LEASE_SECONDS = 60
    with time_machine.travel(AT, tick=False):
        # Committed and handed to Redis, which then lost it: the callbacks never reach a worker.
        with django_capture_on_commit_callbacks(execute=False):
            _publish(cdmo_pm, project)
        assert queue.relay_outbox() == 0  # the lease still runs: the message may be on its way
    with (
        time_machine.travel(AT + dt.timedelta(seconds=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert queue.relay_outbox() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [decision_maker.email, sponsor_lead.email]
    assert set(OutboxTask.objects.values_list("status", flat=True)) == {OutboxStatus.DONE}
    with time_machine.travel(AT + dt.timedelta(hours=2), tick=False):
        assert queue.relay_outbox() == 0
    assert len(mail.outbox) == 2


@pytest.fixture
def broker_without_workers():
    """A broker that takes messages, and no worker that ever runs them."""
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = "memory://", False
    app._pool = app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous
    app._pool = app.amqp._producer_pool = None


@pytest.mark.django_db
def test_the_lease_doubles_with_each_send_so_a_backlog_does_not_snowball(settings, broker_without_workers):
    settings.OUTBOX_LEASE_SECONDS = 60
    row = OutboxTask.objects.create(
        task_name=organization_tasks.send_invitation.name, args=[0], sends=1, lease_until=AT
    )
    resent_at = []
    now = AT
    for _ in range(4):
        assert queue.relay_outbox(now=now) == 1
        row.refresh_from_db()
        resent_at.append(row.lease_until - now)
        now = row.lease_until
        assert queue.relay_outbox(now=now - dt.timedelta(seconds=1)) == 0
    assert resent_at == [dt.timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert row.sends == 5 and row.status == OutboxStatus.PENDING


@pytest.mark.django_db
def test_work_sent_again_and_again_without_finishing_is_failed_for_a_person(settings):
    settings.OUTBOX_MAX_SENDS = 3
    row = OutboxTask.objects.create(task_name=organization_tasks.send_invitation.name, args=[0], sends=3)
    assert queue.relay_outbox() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and "3 times" in row.error


@pytest.mark.django_db
def test_a_duplicate_delivery_of_finished_work_is_skipped(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update = _publish(cdmo_pm, project)
    row = OutboxTask.objects.get(task_name=notify_update_published.name)
    before = Notification.objects.count()

    # Redis hands the same message out again (a restored unacked message, a relay re-send).
    notify_update_published.apply_async((update.pk,), task_id=task_id_for(row.pk))
    row.refresh_from_db()
    assert row.runs == 1 and row.status == OutboxStatus.DONE
    assert Notification.objects.count() == before and len(mail.outbox) == 2


@pytest.mark.django_db
def test_work_a_live_worker_holds_is_not_run_twice_but_a_dead_workers_is_after_its_lease(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_LEASE_SECONDS = 60
    with time_machine.travel(AT, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            update = _publish(cdmo_pm, project)
        row = OutboxTask.objects.get()
        assert queue.claim(task_id_for(row.pk))[0]  # a worker starts it...
        # ...and a second copy arrives while it runs: skipped.
        notify_update_published.apply_async((update.pk,), task_id=task_id_for(row.pk))
    assert mail.outbox == []
    # The first worker died (kill -9); the lease runs out and the relay sends it again.
    with (
        time_machine.travel(AT + dt.timedelta(seconds=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert queue.relay_outbox() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.DONE and row.runs == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_work_a_signed_in_person_asks_for_names_them_down_to_the_emails(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks
):
    token = queue.triggered_by.set(cdmo_pm.pk)  # what TriggeredByMiddleware does for a request
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _publish(cdmo_pm, project)
    finally:
        queue.triggered_by.reset(token)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:  # the worker, later, with nobody signed in
            callback()
    rows = OutboxTask.objects.all()
    assert {row.task_name for row in rows} == {
        notify_update_published.name,
        "notifications.queue_deliveries",
    } | {"notifications.deliver"}
    assert {row.triggered_by_id for row in rows} == {cdmo_pm.pk}


@pytest.mark.django_db
def test_an_invitation_the_provider_refuses_is_failed_and_the_admin_who_sent_it_is_told(
    client, sponsor_admin, failing_provider, django_capture_on_commit_callbacks
):
    failing_provider.error = smtplib.SMTPRecipientsRefused({"new.person@acme.test": (550, b"No such user")})
    client.force_login(sponsor_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations:members"),
            {"email": "new.person@acme.test", "full_name": "New Person", "org_role": "member"},
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="new.person@acme.test").exists()  # the change stands

    (row,) = OutboxTask.objects.all()
    assert row.status == OutboxStatus.FAILED and row.runs == 1  # permanent: not retried
    assert "SMTPRecipientsRefused" in row.error and row.triggered_by == sponsor_admin

    (told,) = Notification.objects.filter(recipient=sponsor_admin, kind="background.failed")
    assert "Email an invitation to join an organization" in told.body
    assert told.email_status == "skipped"  # the bell only: email may be what is failing
    client.get(reverse("notifications:list"))
    page = client.get(reverse("notifications:list")).content.decode()
    assert "could not be completed" in page


@pytest.mark.django_db
def test_a_provider_outage_is_retried_with_backoff_then_recorded_as_failed(
    client, sponsor_admin, failing_provider, django_capture_on_commit_callbacks
):
    client.force_login(sponsor_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organizations:members"),
            {"email": "new.person@acme.test", "full_name": "New Person", "org_role": "member"},
        )
    (row,) = OutboxTask.objects.all()
    assert row.runs == 1 + organization_tasks.send_invitation.max_retries  # every retry ran
    assert row.status == OutboxStatus.FAILED and "SMTPServerDisconnected" in row.error
    assert Notification.objects.filter(recipient=sponsor_admin, kind="background.failed").exists()


@pytest.mark.django_db
def test_staff_find_failed_background_work_in_the_admin(client, django_user_model):
    OutboxTask.objects.create(task_name="organizations.send_invitation", args=[1], status=OutboxStatus.DONE)
    OutboxTask.objects.create(
        task_name="meetings.tasks.deliver_invitation",
        args=[7, "new"],
        status=OutboxStatus.FAILED,
        error="SMTPRecipientsRefused: no such user",
    )
    staff = staff_user(django_user_model)
    client.force_login(staff)
    response = client.get(reverse("admin:core_outboxtask_changelist"), {"status__exact": "failed"})
    assert response.status_code == 200
    (listed,) = response.context["cl"].result_list
    assert listed.task_name == "meetings.tasks.deliver_invitation"
    assert "no such user" in response.content.decode()


@app.task(name="tests.portal.a_periodic_job_that_cannot_succeed")
def a_periodic_job_that_cannot_succeed():
    """A periodic job whose input is broken."""
    raise ValueError("the schedule names a project that does not exist")


@pytest.mark.django_db
def test_a_failing_periodic_task_without_an_outbox_row_is_still_recorded_for_staff():
    app.conf.task_eager_propagates = False  # as in a worker; the autouse fixture restores it
    a_periodic_job_that_cannot_succeed.apply_async()  # what beat sends: no outbox row
    (row,) = OutboxTask.objects.all()
    assert row.task_name == "tests.portal.a_periodic_job_that_cannot_succeed"
    assert row.status == OutboxStatus.FAILED and row.triggered_by is None
    assert "does not exist" in row.error
    assert not Notification.objects.exists()  # nobody signed in asked for it: staff see it
