"""Electronic signatures, through the first signed action (confirming minutes): re-authentication,
the stored record, its manifestation and verification, the lockout and the database's refusals."""

from __future__ import annotations

import datetime as dt

import pgtrigger
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from meetings.pdf import render_minutes_html
from meetings.selectors import meeting_detail
from portal.accounts.models import OrgRole
from portal.notifications.models import Notification
from portal.signatures.models import Components, Meaning, Outcome, Signature, SigningAttempt
from portal.signatures.registry import signed_action
from portal.signatures.services import LOCK_DURATION, SERIES_GAP
from tests.factories.meetings import held_meeting
from tests.factories.organizations import UserFactory
from tests.http import text

ACTION = "meetings.minutes_confirm"


@pytest.fixture
def team(sponsor_lead, decision_maker, cdmo_pm, cdmo_sme):
    return [sponsor_lead, decision_maker, cdmo_pm, cdmo_sme]


@pytest.fixture
def minutes(project, team):
    return held_meeting(project, status=MeetingStatus.MINUTES_SENT)


def _url(meeting):
    return reverse(
        "meetings:minutes_confirm", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk}
    )


def _form(meeting, password, **extra):
    return {
        "meaning": Meaning.CONFIRMED,
        "shown": signed_action(ACTION).digest(meeting),
        "password": password,
        "comment": "Matches my notes.",
        **extra,
    }


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.mark.django_db
def test_signing_confirms_the_minutes_and_records_what_was_signed(client, minutes, sponsor_lead, password):
    client.force_login(sponsor_lead)
    page = client.get(_url(minutes))
    assert page.status_code == 200
    body = text(page)
    assert (
        "This is exactly what your signature will cover" in body
        and "Proceed with the 200 L engineering batch" in body
    )
    assert (
        "Your signature means <strong>Confirmed</strong>" in body
        and "Code from your authenticator app" not in body
    )

    response = client.post(_url(minutes), _form(minutes, password))
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MeetingStatus.CONFIRMED and minutes.minutes_confirmed_by == sponsor_lead
    signature = Signature.objects.get()
    assert (signature.signer, signature.printed_name, signature.meaning) == (
        sponsor_lead,
        "Emily Carter",
        "confirmed",
    )
    assert signature.comment == "Matches my notes." and signature.components == Components.PASSWORD
    assert signature.content["decisions"] == ["Proceed with the 200 L engineering batch"]
    assert signature.content_sha256 == signed_action(ACTION).digest(minutes)
    attempt = SigningAttempt.objects.get()
    assert attempt.outcome == Outcome.SIGNED and attempt.signature == signature

    detail = text(client.get(minutes.get_absolute_url()))
    assert "Signed by Emily Carter" in detail and "meaning Confirmed" in detail
    assert "Record changed after signing" not in detail


@pytest.mark.django_db
def test_a_wrong_password_signs_nothing_and_keeps_the_comment(client, minutes, sponsor_lead):
    client.force_login(sponsor_lead)
    response = client.post(_url(minutes), _form(minutes, "not-my-password", comment="Checked twice."))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["password"] == ["That is not your password. Nothing was signed."]
    assert "Checked twice." in text(response)
    assert 'value="not-my-password"' not in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.status == MeetingStatus.MINUTES_SENT and not Signature.objects.exists()
    assert list(SigningAttempt.objects.values_list("outcome", flat=True)) == [Outcome.WRONG_PASSWORD]


@pytest.mark.django_db
def test_three_wrong_passwords_lock_signing_for_fifteen_minutes_and_tell_the_admins(
    client, minutes, sponsor_lead, password
):
    admin = UserFactory(organization=sponsor_lead.organization, org_role=OrgRole.ADMIN, full_name="Ada Admin")
    client.force_login(sponsor_lead)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(3):
            client.post(_url(minutes), _form(minutes, "wrong"))
        refused = client.post(_url(minutes), _form(minutes, password))
        assert "Signing is locked until" in text(refused)
        minutes.refresh_from_db()
        assert minutes.status == MeetingStatus.MINUTES_SENT and not Signature.objects.exists()
        notice = Notification.objects.get(recipient=admin, kind="signatures.locked")
        assert notice.title == "Signing locked for Emily Carter"
        assert not Notification.objects.filter(recipient=sponsor_lead, kind="signatures.locked").exists()

        traveller.shift(LOCK_DURATION - dt.timedelta(seconds=1))
        assert "Signing is locked until" in text(client.post(_url(minutes), _form(minutes, password)))
        traveller.shift(dt.timedelta(seconds=2))
        assert client.post(_url(minutes), _form(minutes, password)).status_code == 302
    outcomes = list(SigningAttempt.objects.values_list("outcome", flat=True))
    assert outcomes == [Outcome.WRONG_PASSWORD] * 3 + [Outcome.LOCKED] * 2 + [Outcome.SIGNED]


@pytest.mark.django_db
def test_two_mistakes_then_success_never_lock(client, project, team, sponsor_lead, password):
    first, second = (held_meeting(project, status=MeetingStatus.MINUTES_SENT) for _ in range(2))
    client.force_login(sponsor_lead)
    for meeting in (first, second):
        client.post(_url(meeting), _form(meeting, "wrong"))
        client.post(_url(meeting), _form(meeting, "wrong"))
        assert client.post(_url(meeting), _form(meeting, password)).status_code == 302
    assert Signature.objects.count() == 2


@pytest.mark.django_db
def test_with_an_authenticator_the_first_signing_of_a_session_needs_a_code(
    client, project, team, sponsor_lead, password
):
    secret = generate_totp_secret()
    TOTP.activate(sponsor_lead, secret)
    first, second = (held_meeting(project, status=MeetingStatus.MINUTES_SENT) for _ in range(2))
    client.force_login(sponsor_lead)
    assert "Code from your authenticator app" in text(client.get(_url(first)))

    wrong = client.post(_url(first), _form(first, password, code=_wrong(_code(secret))))
    assert wrong.context["form"].errors["code"][0].startswith("That code is not right")
    assert client.post(_url(first), _form(first, password, code=_code(secret))).status_code == 302
    assert Signature.objects.get().components == Components.PASSWORD_AND_CODE

    # Later signings in the same session ask for the password only (docs/signatures.md).
    assert "Code from your authenticator app" not in text(client.get(_url(second)))
    assert client.post(_url(second), _form(second, password)).status_code == 302
    assert Signature.objects.get(record_id=second.pk).components == Components.PASSWORD

    # A pause of half an hour starts a new series; so does a new session.
    with time_machine.travel(timezone.now() + SERIES_GAP + dt.timedelta(seconds=1)):
        assert "Code from your authenticator app" in text(
            client.get(_url(third := held_meeting(project, status=MeetingStatus.MINUTES_SENT)))
        )
    client.logout()
    client.force_login(sponsor_lead)
    assert "Code from your authenticator app" in text(client.get(_url(third)))


@pytest.mark.django_db
def test_minutes_changed_while_being_read_are_not_signed(client, minutes, sponsor_lead, password):
    client.force_login(sponsor_lead)
    data = _form(minutes, password)
    with pgtrigger.ignore("meetings.Meeting:meeting_minutes_locked"):
        Meeting.objects.filter(pk=minutes.pk).update(summary="Something else entirely.")
    response = client.post(_url(minutes), data)
    assert "The record changed while you were reading it" in text(response)
    assert "Something else entirely." in text(response)
    assert response.context["form"]["shown"].value() == signed_action(ACTION).digest(
        Meeting.objects.get(pk=minutes.pk)
    )
    assert not Signature.objects.exists() and not SigningAttempt.objects.exists()


@pytest.mark.django_db
def test_tampering_after_signing_shows_on_the_record(client, minutes, sponsor_lead, password):
    client.force_login(sponsor_lead)
    client.post(_url(minutes), _form(minutes, password))
    with pgtrigger.ignore("meetings.Meeting:meeting_minutes_locked"):
        Meeting.objects.filter(pk=minutes.pk).update(summary="Rewritten after the fact.")
    detail = text(client.get(minutes.get_absolute_url()))
    assert "Signed by Emily Carter" in detail and "Record changed after signing" in detail


@pytest.mark.django_db
def test_signatures_and_attempts_can_never_be_changed_or_deleted(client, minutes, sponsor_lead, password):
    client.force_login(sponsor_lead)
    client.post(_url(minutes), _form(minutes, password))
    assert Signature.objects.count() == 1
    for statement in (
        "UPDATE signatures_signature SET meaning = 'rejected'",
        "UPDATE signatures_signature SET record_id = record_id + 1",
        "DELETE FROM signatures_signature",
        "UPDATE signatures_signingattempt SET outcome = 'wrong_password'",
        "DELETE FROM signatures_signingattempt",
    ):
        with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert Signature.objects.get().meaning == Meaning.CONFIRMED


@pytest.mark.django_db
def test_only_the_people_who_confirm_minutes_reach_the_signing_page(client, minutes, cdmo_pm, outsider):
    client.force_login(cdmo_pm)
    assert client.get(_url(minutes)).status_code == 403
    client.force_login(outsider)
    assert client.get(_url(minutes)).status_code == 404


@pytest.mark.django_db
def test_the_signature_shows_in_the_email_and_the_minutes_pdf(
    client, minutes, sponsor_lead, cdmo_pm, password, django_capture_on_commit_callbacks
):
    client.force_login(sponsor_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(minutes), _form(minutes, password))
    email = next(m for m in mail.outbox if m.subject.startswith("Minutes confirmed"))
    manifest = "Signed by Emily Carter, "
    assert manifest in email.body and "meaning Confirmed" in email.body
    assert manifest in email.alternatives[0][0]
    html = render_minutes_html(meeting_detail(meeting=Meeting.objects.get(pk=minutes.pk)))
    assert manifest in html and "meaning Confirmed: “Matches my notes.”" in html
