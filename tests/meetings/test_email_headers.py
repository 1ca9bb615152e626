"""A line break (or any control character) in a title can never kill a send: the one email
door makes every header single-line (portal.core.emails.build_message)."""

import pytest
from django.core import mail

from portal.core.models import OutboxStatus, OutboxTask
from portal.notifications import delivery
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db


def test_a_meeting_title_with_a_line_break_still_sends_every_invitation(schedule, team):
    mail.outbox = []
    schedule(title="Quarterly review\r\nBcc: everyone@elsewhere.test", invite=("lead", "dm", "sme"))

    invitations = [m for m in mail.outbox if "Quarterly review" in m.subject]
    assert {m.to[0] for m in invitations} >= {team[name].email for name in ("lead", "dm", "sme")}
    for message in invitations:
        assert "\r" not in message.subject and "\n" not in message.subject
        assert "Quarterly review Bcc: everyone@elsewhere.test" in message.subject
        rendered = message.message()
        assert rendered["Bcc"] is None  # nothing was injected as a header
        assert rendered.get_all("Subject") == [rendered["Subject"]]
    assert set(OutboxTask.objects.values_list("status", flat=True)) == {OutboxStatus.DONE}


def test_a_notification_subject_with_control_characters_is_sent_on_one_line():
    notification = NotificationFactory(email_subject="ACM-101:\u2028status\x7f update\r\ndue\ttomorrow")
    assert delivery.deliver_email(notification_id=notification.pk) == delivery.SENT
    (message,) = mail.outbox
    assert message.subject == "ACM-101: status update due tomorrow"
