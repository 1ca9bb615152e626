"""Staff see every notification and its delivery in the admin; nothing is edited or deleted there."""

import pytest
from django.urls import reverse

from portal.notifications.models import EmailStatus
from tests.factories.notifications import NotificationFactory, NotificationPreferenceFactory
from tests.staff import staff_user


@pytest.fixture
def staff_client(client, django_user_model):
    staff = staff_user(django_user_model)
    client.force_login(staff)
    return client


@pytest.mark.django_db
def test_staff_browse_filter_and_search_notifications(staff_client, sponsor_lead):
    NotificationFactory(recipient=sponsor_lead, dedupe_key="flag.raised:flag-7:week-1", title="Stale updates")
    NotificationFactory(email_status=EmailStatus.FAILED, title="Bounced one")
    url = reverse("admin:notifications_notification_changelist")

    assert "Stale updates" in staff_client.get(url).content.decode()
    by_email = staff_client.get(url, {"q": "lead@acme.test"}).content.decode()
    assert "Stale updates" in by_email and "Bounced one" not in by_email
    by_key = staff_client.get(url, {"q": "flag-7"}).content.decode()
    assert "Stale updates" in by_key
    failed = staff_client.get(url, {"email_status__exact": "failed"}).content.decode()
    assert "Bounced one" in failed and "Stale updates" not in failed
    assert staff_client.get(url, {"kind__exact": "update.published"}).status_code == 200


@pytest.mark.django_db
def test_a_notification_shows_exactly_what_was_emailed_and_cannot_be_changed(staff_client):
    notification = NotificationFactory(email_subject="ACM-101: update due", email_text="Plain text body here")
    change_url = reverse("admin:notifications_notification_change", args=[notification.pk])
    html = staff_client.get(change_url).content.decode()
    assert "Plain text body here" in html and "ACM-101: update due" in html
    assert 'name="_save"' not in html
    assert staff_client.post(change_url, {"title": "Rewritten"}).status_code == 403
    assert staff_client.get(reverse("admin:notifications_notification_add")).status_code == 403
    delete_url = reverse("admin:notifications_notification_delete", args=[notification.pk])
    assert staff_client.get(delete_url).status_code == 403


@pytest.mark.django_db
def test_staff_can_send_failed_emails_again(staff_client, django_capture_on_commit_callbacks):
    from django.core import mail

    failed = NotificationFactory(
        email_status=EmailStatus.FAILED, email_attempts=6, email_last_error="SMTP down"
    )
    sent = NotificationFactory(email_status=EmailStatus.SENT, email_sent_at="2026-03-01T10:00Z")
    url = reverse("admin:notifications_notification_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"action": "send_failed_again", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    assert "1 failed email(s) queued again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.email_status == EmailStatus.SENT and failed.email_attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_staff_see_preferences(staff_client):
    NotificationPreferenceFactory()
    assert (
        staff_client.get(reverse("admin:notifications_notificationpreference_changelist")).status_code == 200
    )
