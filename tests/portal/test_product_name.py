"""One product name everywhere: the sender of every email, allauth's subjects and the
authenticator app's issuer all come from settings.PORTAL_NAME ("Meridian")."""

from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from portal.notifications.services import notify

SENDER = "Meridian <no-reply@portal.example>"


def test_the_sender_carries_the_product_name(settings):
    assert settings.PORTAL_NAME == "Meridian"
    assert settings.DEFAULT_FROM_EMAIL == SENDER
    assert parseaddr(settings.DEFAULT_FROM_EMAIL) == ("Meridian", "no-reply@portal.example")


@pytest.mark.django_db
def test_the_password_reset_email_comes_from_meridian_about_meridian(client, sponsor_lead):
    client.post(reverse("account_reset_password"), {"email": "lead@acme.test"})
    (message,) = mail.outbox
    assert message.from_email == SENDER
    assert message.subject == "[Meridian] Reset your password"
    assert "CDMO Portal" not in message.body
    assert "Meridian" in message.body
    assert "your Meridian account" in message.alternatives[0][0]


@pytest.mark.django_db
def test_the_authenticator_app_shows_meridian_as_issuer(client, sponsor_lead, password):
    client.force_login(sponsor_lead)
    client.post(reverse("account_reauthenticate"), {"password": password})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    totp_url = response.context["totp_url"]
    parts = urlsplit(totp_url)
    assert parts.scheme == "otpauth"
    assert parse_qs(parts.query)["issuer"] == ["Meridian"]
    assert "CDMO Portal" not in unquote(totp_url)


@pytest.mark.django_db
def test_a_notification_email_comes_from_meridian(cdmo_pm, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[cdmo_pm],
            kind="reminder.update_due",
            dedupe_key="reminder.update_due:product-name",
            title="ACM-101: status update due tomorrow",
            body="The next update is due on 4 March.",
            url="/projects/1/",
        )
    (message,) = mail.outbox
    assert message.from_email == SENDER
    assert "Open in Meridian" in message.alternatives[0][0]


# Where the literal name may stay: its one definition, identifiers other systems already hold
# (calendar UIDs, a mail header filters match on, the webhook headers receivers read, the label
# the webhook secrets' key is derived with) and the demo world's own addresses.
NAME_DEFINED_OR_AN_IDENTIFIER = {
    "portal/settings.py": 'PORTAL_NAME = "Meridian"',
    "meetings/ics.py": "@meridian",
    "meetings/models/meetings.py": "@meridian",
    "portal/notifications/delivery.py": "X-Meridian-Notification",
    "demo/world.py": "meridian.example.com",
    "integration/webhooks/sending.py": "Meridian-",
    "integration/webhooks/signing.py": ("Meridian-Signature", 'b"meridian webhook secrets"'),
}


def test_pages_pdfs_calendars_and_admin_say_the_name_through_the_setting():
    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in (
        "portal",
        "projects",
        "meetings",
        "issues",
        "oversight",
        "integration",
        "demo",
        "templates",
    ):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                allowed = NAME_DEFINED_OR_AN_IDENTIFIER.get(relative, ())
                allowed = (allowed,) if isinstance(allowed, str) else allowed
                if "meridian" in line.lower() and not any(text in line for text in allowed):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
