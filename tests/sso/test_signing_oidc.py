"""Electronic signatures through a forced fresh sign-in at the organization's OpenID Provider (the
real panva oidc-provider, tests/sso/idp.py): the sponsor's lead confirms minutes with
"Sign with Acme Okta", signs in there again, comes back and confirms (docs/sso.md)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from portal.signatures.models import Components, Outcome, Signature, SigningAttempt, SigningIntent
from portal.sso.models import SignInEvent, SignInEventKind

from .signing import LOGIN_PAGE, confirm_url, query, round_trip, signing_form, start_signing


@pytest.mark.django_db
def test_signing_through_a_fresh_sign_in_signs_the_minutes_exactly_once(
    client, sponsor_idp, idp_browser, minutes, sponsor_lead
):
    page = client.get(confirm_url(minutes)).content.decode()
    assert "Sign with Acme Okta" in page and 'type="password"' not in page

    continue_url = start_signing(client, minutes)
    params = query(continue_url)
    assert continue_url.startswith(f"{sponsor_idp.issuer}/auth?")
    assert (params["prompt"], params["max_age"]) == ("login", "0")
    intent = SigningIntent.objects.get(user=sponsor_lead)
    assert (intent.action, intent.record_id, intent.confirmed_at, intent.consumed_at) == (
        "meetings.minutes_confirm",
        minutes.pk,
        None,
        None,
    )
    assert intent.data["comment"] == ["Matches my notes."] and "csrfmiddlewaretoken" not in intent.data

    pages = []
    back, landed = round_trip(client, continue_url, browser=idp_browser, pages=pages)
    # The provider had a session for Emily (she signed in through it), yet asked her to sign in again.
    assert LOGIN_PAGE in pages
    body = landed.content.decode()
    assert landed.status_code == 200
    assert "Identity confirmed at Acme Okta at" in body and "Confirm signature" in body
    assert "Matches my notes." in body  # what she typed came back
    assert not Signature.objects.exists()
    intent.refresh_from_db()
    assert intent.confirmed_at is not None and intent.provider_uid == "emily"
    assert intent.authenticated_at >= intent.created_at.replace(microsecond=0)

    confirmed = client.post(back, signing_form(minutes, intent=intent.nonce))
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    signature = Signature.objects.get()
    assert (signature.signer, signature.record_id, signature.components) == (
        sponsor_lead,
        minutes.pk,
        Components.IDENTITY_PROVIDER,
    )
    assert signature.comment == "Matches my notes."
    assert signature.get_components_display() == "Fresh sign-in at the identity provider"
    intent.refresh_from_db()
    assert intent.consumed_at is not None and intent.signature == signature
    minutes.refresh_from_db()
    assert minutes.status == MeetingStatus.CONFIRMED

    # The same intent again (the minutes made signable again underneath): refused, nothing more signed.
    Meeting.objects.filter(pk=minutes.pk).update(status=MeetingStatus.MINUTES_SENT)
    again = client.post(confirm_url(minutes), signing_form(minutes, intent=intent.nonce))
    assert again.status_code == 200
    assert "This confirmation at Acme Okta was already used" in again.content.decode()
    assert Signature.objects.count() == 1
