"""Electronic signatures through a forced fresh sign-in at the organization's SAML identity provider
(the real pysaml2 IdP, tests/sso/saml_idp.py): our AuthnRequest says ForceAuthn="true", and the
assertion's AuthnInstant must be at or after the moment the signing began."""

import base64
import datetime as dt
import zlib

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils import timezone

from meetings.models import MeetingStatus
from portal.signatures.models import Components, Signature, SigningIntent
from portal.sso.models import SignInEvent, SignInEventKind, SigningMethod

from .conftest import PORTAL, configure_saml
from .saml_idp import new_saml_identity_provider, walk_to_portal
from .signing import query, signing_form, start_signing
from .test_saml_sign_in import post_to_portal


@pytest.fixture
def sponsor_saml(tmp_path, client, sponsor, sponsor_admin, sponsor_lead):
    client.defaults["HTTP_HOST"] = "testserver"
    idp = new_saml_identity_provider(tmp_path)
    configure_saml(
        sponsor_admin,
        idp,
        name="Acme SAML",
        email_domains=["acme.test"],
        signing_method=SigningMethod.FRESH_SIGN_IN,
    )
    metadata = client.get(reverse("saml_metadata", args=[sponsor.slug]))
    idp.add_person("emily", email=sponsor_lead.email, name="Emily Carter")
    idp.start(metadata.content.decode())
    response = client.post(reverse("account_login"), {"login": sponsor_lead.email, "password": ""})
    acs, fields = walk_to_portal(response.context["continue_url"], login="emily", password="idp-password-1")
    assert post_to_portal(client, acs.removeprefix(PORTAL), fields).status_code == 302
    assert SocialAccount.objects.filter(user=sponsor_lead, provider=sponsor.slug).exists()
    yield idp
    idp.stop()


def authn_request(continue_url: str) -> str:
    return zlib.decompress(base64.b64decode(query(continue_url)["SAMLRequest"]), -15).decode()


def back_from(client, continue_url):
    acs, fields = walk_to_portal(continue_url, login="emily", password="idp-password-1")
    response = post_to_portal(client, acs.removeprefix(PORTAL), fields)
    assert response.status_code == 302 and response["Location"].startswith("/signatures/idp/"), response
    return response["Location"], client.get(response["Location"])


@pytest.mark.django_db
def test_signing_through_a_fresh_saml_sign_in(client, sponsor_saml, minutes, sponsor_lead):
    assert (
        "Sign with Acme SAML"
        in client.get(
            reverse(
                "meetings:minutes_confirm",
                kwargs={"project_id": minutes.project_id, "meeting_id": minutes.pk},
            )
        ).content.decode()
    )
    continue_url = start_signing(client, minutes)
    assert continue_url.startswith(sponsor_saml.sso_url)
    assert 'ForceAuthn="true"' in authn_request(continue_url)

    back, landed = back_from(client, continue_url)
    assert "Identity confirmed at Acme SAML at" in landed.content.decode()
    intent = SigningIntent.objects.get()
    assert intent.authenticated_at >= intent.created_at.replace(microsecond=0)

    assert client.post(back, signing_form(minutes, intent=intent.nonce)).status_code == 302
    signature = Signature.objects.get()
    assert (signature.signer, signature.components) == (sponsor_lead, Components.IDENTITY_PROVIDER)
    minutes.refresh_from_db()
    assert minutes.status == MeetingStatus.CONFIRMED


@pytest.mark.django_db
def test_an_authn_instant_before_the_signing_is_refused(client, sponsor_saml, minutes, sponsor):
    """The portal's clock two minutes ahead: the identity provider's AuthnInstant is before the
    signing began, as an identity provider that ignored ForceAuthn would answer."""
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=True):
        continue_url = start_signing(client, minutes)
    _, landed = back_from(client, continue_url)
    assert "Acme SAML did not ask you to sign in again" in landed.content.decode()
    assert SigningIntent.objects.get().confirmed_at is None
    assert SignInEvent.objects.filter(organization=sponsor, kind=SignInEventKind.SIGNING_REFUSED).exists()
    assert not Signature.objects.exists()
