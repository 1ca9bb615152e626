"""Electronic signatures through a forced fresh sign-in at the organization's OpenID Provider (the
real panva oidc-provider, tests/sso/idp.py): the sponsor's lead confirms minutes with
"Sign with Acme Okta", signs in there again, comes back and confirms (docs/sso.md)."""

import datetime as dt

import pgtrigger
import pytest
import requests
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from portal.accounts.models import OrgRole
from portal.signatures.models import Components, Outcome, Signature, SigningAttempt, SigningIntent
from portal.signatures.registry import signed_action
from portal.sso.models import SignInEvent, SignInEventKind, SigningMethod
from projects.models import DecisionOutcome, DecisionRequest
from tests.factories.meetings import held_meeting
from tests.factories.organizations import UserFactory
from tests.projects.update_helpers import published_update, ready_draft, signed_step

from .conftest import PORTAL, configure, link_at_idp
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


def _confirmed_intent(client, minutes, idp_browser):
    """A round trip done: the intent confirmed, the page showing "Confirm signature"."""
    back, landed = round_trip(client, start_signing(client, minutes), browser=idp_browser)
    assert "Identity confirmed at Acme Okta" in landed.content.decode()
    return back, SigningIntent.objects.latest("created_at")


@pytest.mark.django_db
def test_another_person_at_the_identity_provider_is_refused_with_an_entry(
    client, sponsor_idp, minutes, sponsor_lead, sponsor
):
    """Someone else signs in at the provider (another browser profile, a colleague at the keyboard)."""
    sponsor_idp.add_person("mallory", email="mallory@acme.test", name="Mallory", password="mallorys-password")
    continue_url = start_signing(client, minutes)
    back, landed = round_trip(
        client, continue_url, browser=requests.Session(), login="mallory", password="mallorys-password"
    )
    body = landed.content.decode()
    assert "Someone else signed in at Acme Okta: you sign only as yourself." in body
    assert "Matches my notes." in body and "Sign with Acme Okta" in body  # nothing lost, try again
    assert "Confirm signature" not in body
    intent = SigningIntent.objects.get()
    assert intent.confirmed_at is None
    event = SignInEvent.objects.get(organization=sponsor, kind=SignInEventKind.SIGNING_REFUSED)
    assert event.email == sponsor_lead.email and "mallory@acme.test" in event.detail
    assert SigningAttempt.objects.get(user=sponsor_lead).outcome == Outcome.IDP_REFUSED
    # Confirming anyway with that intent signs nothing; Emily stays signed in to the portal.
    refused = client.post(back, signing_form(minutes, intent=intent.nonce))
    assert "Your identity was not confirmed at Acme Okta" in refused.content.decode()
    assert not Signature.objects.exists()
    assert refused.wsgi_request.user == sponsor_lead


@pytest.mark.django_db
def test_a_sign_in_older_than_the_signing_is_refused(client, sponsor_idp, idp_browser, minutes, sponsor):
    """The ID token's auth_time must be at or after the moment the signing began: here the portal's
    clock is two minutes ahead, so the (fresh) sign-in looks older than the intent, as one an
    identity provider reused from its session would."""
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=True):
        continue_url = start_signing(client, minutes)
    _, landed = round_trip(client, continue_url, browser=idp_browser)
    assert "Acme Okta did not ask you to sign in again" in landed.content.decode()
    assert SigningIntent.objects.get().confirmed_at is None
    assert SignInEvent.objects.filter(organization=sponsor, kind=SignInEventKind.SIGNING_REFUSED).exists()
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_a_provider_clock_a_little_behind_ours_is_tolerated(
    client, sponsor_idp, idp_browser, minutes, settings
):
    """Within SSO_CLOCK_SKEW_SECONDS: the portal's clock 10 seconds ahead of the provider's (its
    fresh sign-in seems to come 10 seconds before the signing began) still confirms."""
    settings.SSO_CLOCK_SKEW_SECONDS = 30
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=10), tick=True):
        continue_url = start_signing(client, minutes)
    _, landed = round_trip(client, continue_url, browser=idp_browser)
    assert "Identity confirmed at Acme Okta" in landed.content.decode()
    assert SigningIntent.objects.get().confirmed_at is not None


@pytest.mark.django_db
def test_an_intent_expires_after_ten_minutes(client, sponsor_idp, idp_browser, minutes):
    back, intent = _confirmed_intent(client, minutes, idp_browser)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        refused = client.post(back, signing_form(minutes, intent=intent.nonce))
    body = refused.content.decode()
    assert "Your confirmation at Acme Okta expired after 10 minutes" in body
    assert "Sign with Acme Okta" in body and "Matches my notes." in body
    assert not Signature.objects.exists()
    minutes.refresh_from_db()
    assert minutes.status == MeetingStatus.MINUTES_SENT


@pytest.mark.django_db
def test_minutes_changed_during_the_round_trip_are_not_signed(client, sponsor_idp, idp_browser, minutes):
    back, intent = _confirmed_intent(client, minutes, idp_browser)
    with pgtrigger.ignore("meetings.Meeting:meeting_minutes_locked"):
        Meeting.objects.filter(pk=minutes.pk).update(summary="Quietly rewritten while Emily was away.")
    refused = client.post(back, signing_form(minutes, intent=intent.nonce, shown=intent.shown_sha256))
    assert "The record changed while you were reading it" in refused.content.decode()
    assert not Signature.objects.exists()
    assert SigningIntent.objects.get().consumed_at is None


@pytest.mark.django_db
def test_an_intent_signs_only_its_own_record_for_its_own_signer(
    client, sponsor_idp, idp_browser, minutes, project, decision_maker
):
    back, intent = _confirmed_intent(client, minutes, idp_browser)
    other = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    refused = client.post(confirm_url(other), signing_form(other, intent=intent.nonce))
    assert "This confirmation was for another record" in refused.content.decode()
    # The form changed after the round trip (another comment): refused too.
    changed = client.post(back, signing_form(minutes, intent=intent.nonce, comment="Something else."))
    assert "The form changed after you confirmed your identity" in changed.content.decode()
    client.force_login(decision_maker)
    assert client.get(back).status_code == 404
    theirs = client.post(
        confirm_url(minutes), {**signing_form(minutes), "password": "x", "intent": intent.nonce}
    )
    assert not Signature.objects.exists() and theirs.status_code == 200
    assert SigningIntent.objects.get().consumed_at is None


@pytest.mark.django_db
def test_with_the_signing_password_chosen_signing_is_unchanged(
    client, sponsor_idp, minutes, sponsor_lead, sponsor_admin, password
):
    configure(
        sponsor_admin,
        sponsor_idp.issuer,
        name="Acme Okta",
        email_domains=["acme.test"],
        signing_method=SigningMethod.PASSWORD,
    )
    page = client.get(confirm_url(minutes)).content.decode()
    assert 'type="password"' in page and "Sign with Acme Okta" not in page
    sponsor_lead.set_password(password)
    sponsor_lead.save()
    client.force_login(sponsor_lead)
    response = client.post(confirm_url(minutes), {**signing_form(minutes), "password": password})
    assert response.status_code == 302
    assert Signature.objects.get().components == Components.PASSWORD
    assert not SigningIntent.objects.exists()


@pytest.mark.django_db
def test_a_cancelled_round_trip_signs_nothing_and_loses_nothing(client, sponsor_idp, minutes, sponsor):
    """The provider answers the callback with `error=access_denied` (what it sends when the person
    cancels): back on the dialog with a message and what they typed."""
    continue_url = start_signing(client, minutes)
    state = query(continue_url)["state"]
    response = client.get(f"/accounts/oidc/{sponsor.slug}/login/callback/?error=access_denied&state={state}")
    assert response.status_code == 302 and response["Location"].startswith("/signatures/idp/")
    landed = client.get(response["Location"])
    body = landed.content.decode()
    assert "Signing in again at Acme Okta did not work or was cancelled." in body
    assert "Matches my notes." in body and "Sign with Acme Okta" in body
    assert landed.wsgi_request.user.is_authenticated
    assert SignInEvent.objects.filter(organization=sponsor, kind=SignInEventKind.SIGNING_REFUSED).exists()
    assert not Signature.objects.exists()


@pytest.mark.django_db
def test_a_decision_rejected_through_the_provider_keeps_the_typed_reason(
    client, sponsor_idp, idp_browser, project, cdmo_pm, sponsor_lead
):
    """A page with two dialogs, each with its prefix and its own form (the reason): what was typed
    comes back after the round trip, and only the dialog that went there says "Confirm signature"."""
    needed_by = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    options = [
        {"label": "Resin A", "description": "Qualified."},
        {"label": "Resin B", "description": "In stock."},
    ]
    choice = {"title": "Which resin?", "needed_by": needed_by, "source_decision": None, "options": options}
    update = published_update(
        cdmo_pm, project, decisions_needed=[choice | {"recommended": 1, "recommendation": "Lead time."}]
    )
    decision = DecisionRequest.objects.get(update=update)
    client.force_login(sponsor_lead)
    data = signed_step(
        "reject",
        decision,
        "projects.decision_resolve",
        meaning="rejected",
        reason="Neither: we change the process.",
    )
    del data["sign-reject-password"]
    started = client.post(decision.get_absolute_url(), data)
    back, landed = round_trip(client, started.context["continue_url"], browser=idp_browser)
    body = landed.content.decode()
    assert "Neither: we change the process." in body
    assert body.count("Confirm signature") == 1 and body.count("Sign with Acme Okta") == 1
    intent = SigningIntent.objects.get()
    assert (intent.prefix, intent.meaning) == ("sign-reject", "rejected")

    assert client.post(back, {**data, "sign-reject-intent": intent.nonce}).status_code == 302
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.REJECTED
    signature = Signature.objects.get()
    assert (signature.meaning, signature.components) == ("rejected", Components.IDENTITY_PROVIDER)


@pytest.mark.django_db
def test_only_the_latest_signing_round_trip_counts(client, sponsor_idp, idp_browser, minutes):
    """Two signings started (two tabs): the answer to the first confirms nothing, and the signer
    stays signed in; the second goes through."""
    first = start_signing(client, minutes)
    second = start_signing(client, minutes)
    _, landed = round_trip(client, first, browser=idp_browser)
    assert "Your identity was not confirmed at Acme Okta" in landed.content.decode()
    assert landed.wsgi_request.user.is_authenticated
    _, landed = round_trip(client, second, browser=idp_browser)
    assert "Identity confirmed at Acme Okta" in landed.content.decode()
    assert [i.confirmed_at is not None for i in SigningIntent.objects.order_by("created_at")] == [False, True]


@pytest.mark.django_db
def test_the_author_publishes_an_update_through_the_provider(
    client, start_idp, cdmo, cdmo_pm, project, idp_browser
):
    """Another organization's identity provider (the CDMO's), another view (publishing, which only
    answers POSTs): the page is shown again from the intent through the publish view itself."""
    admin = UserFactory(organization=cdmo, org_role=OrgRole.ADMIN, email="admin@northbridge.test")
    idp = start_idp(PORTAL, slug=cdmo.slug)
    configure(
        admin,
        idp.issuer,
        name="Northbridge ID",
        email_domains=["northbridge.test"],
        signing_method=SigningMethod.FRESH_SIGN_IN,
    )
    link_at_idp(client, idp, idp_browser, cdmo_pm, "lena", name="Lena Hoffmann")
    draft = ready_draft(cdmo_pm, project)
    url = reverse("projects:update_publish", args=[project.pk, draft.pk])
    dialog = {
        "sign-meaning": "authored",
        "sign-comment": "As discussed.",
        "sign-shown": signed_action("projects.update_publish").digest(draft),
    }
    started = client.post(url, dialog)
    back, landed = round_trip(
        client,
        started.context["continue_url"],
        browser=idp_browser,
        login="lena",
        password="lenas-idp-password",
    )
    assert "Identity confirmed at Northbridge ID" in landed.content.decode()
    nonce = SigningIntent.objects.get().nonce
    assert client.post(url, {**dialog, "sign-intent": nonce}).status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft
    signature = Signature.objects.get()
    assert (signature.signer, signature.meaning, signature.components) == (
        cdmo_pm,
        "authored",
        Components.IDENTITY_PROVIDER,
    )
