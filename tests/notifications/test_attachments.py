"""notify() carries attachments (a calendar entry, a PDF) and can email whatever the preference."""

import pytest
from django.core import mail

from portal.notifications.models import EmailMode, EmailStatus, NotificationAttachment
from portal.notifications.services import Attachment, notify
from tests.factories.notifications import NotificationPreferenceFactory
from tests.factories.organizations import UserFactory

pytestmark = pytest.mark.django_db

ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
PDF = b"%PDF-1.7 minutes"


def _notify(person, key="meeting.invited:invitee-1:outbox-1", **extra):
    return notify(
        recipients=[person],
        kind="meeting.invited",
        dedupe_key=key,
        title="ACM-101: invitation to “Steering committee”",
        body="",
        url="/projects/1/",
        **extra,
    )


def test_the_email_carries_the_calendar_entry_and_the_pdf(committed):
    person = UserFactory()
    files = (
        Attachment("invite.ics", ICS, "text/calendar; method=REQUEST"),
        Attachment("minutes.pdf", PDF, "application/pdf"),
    )
    with committed():
        (row,) = _notify(person, attachments=files)

    assert [a.filename for a in NotificationAttachment.objects.filter(notification=row)] == [
        "invite.ics",
        "minutes.pdf",
    ]
    (message,) = mail.outbox
    calendar, pdf = message.attachments
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "invite.ics"
    assert calendar.get_payload(decode=True) == ICS
    assert pdf == ("minutes.pdf", PDF, "application/pdf")


@pytest.mark.parametrize("mode", [EmailMode.DAILY_DIGEST, EmailMode.NONE])
def test_always_email_sends_at_once_whatever_the_preference(committed, mode):
    person = UserFactory()
    NotificationPreferenceFactory(user=person, email_mode=mode)
    with committed():
        (told,) = _notify(person, always_email=True)
        (waits,) = _notify(person, key="minutes.reviewed:meeting-1:outbox-2")

    told.refresh_from_db()
    assert told.email_status == EmailStatus.SENT
    assert waits.email_status == (
        EmailStatus.DIGEST if mode == EmailMode.DAILY_DIGEST else EmailStatus.SKIPPED
    )
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_a_repeated_call_stores_and_sends_the_attachment_once(committed):
    person = UserFactory()
    files = (Attachment("invite.ics", ICS, "text/calendar; method=REQUEST"),)
    with committed():
        _notify(person, attachments=files, always_email=True)
        assert _notify(person, attachments=files, always_email=True) == []
    assert NotificationAttachment.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_inactive_person_is_not_emailed_even_with_always_email(committed):
    person = UserFactory(is_active=False)
    files = (Attachment("minutes.pdf", PDF, "application/pdf"),)
    with committed():
        (row,) = _notify(person, attachments=files, always_email=True)
    assert row.email_status == EmailStatus.SKIPPED
    assert not NotificationAttachment.objects.exists()
    assert mail.outbox == []
