"""Signing in through an organization's SAML 2.0 identity provider: a real pysaml2 IdP in a
subprocess (tests/sso/saml_idp.py), allauth's SAML provider keyed by the organization's slug."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portal.accounts.models import OrgRole, User
from portal.sso.models import Protocol, SignInEvent, SignInEventKind

from .conftest import DOMAIN, configure, configure_saml
from .saml_idp import make_certificate, new_saml_identity_provider, walk_to_portal

PORTAL = "http://testserver"


@pytest.fixture
def saml_idp(tmp_path, client, orbital_admin):
    client.defaults["HTTP_HOST"] = "testserver"  # python3-saml reads the Host header, as browsers send it
    idp = new_saml_identity_provider(tmp_path)
    configure_saml(orbital_admin, idp)
    metadata = client.get(reverse("saml_metadata", args=["orbital"]))
    assert metadata.status_code == 200, metadata.content[:300]
    idp.start(metadata.content.decode())
    yield idp
    idp.stop()


def told(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def sign_in(client, idp, email, login, password="idp-password-1"):
    response = client.post(reverse("account_login"), {"login": email, "password": ""})
    assert response.status_code == 200, response
    url = response.context["continue_url"]
    assert url.startswith(idp.sso_url)
    acs, fields = walk_to_portal(url, login=login, password=password)
    assert acs.startswith(PORTAL)
    return acs.removeprefix(PORTAL), fields


def post_to_portal(client, acs, fields):
    response = client.post(acs, fields)
    while response.status_code == 302 and response["Location"].startswith("/accounts/saml/"):
        response = client.get(response["Location"])
    return response


@pytest.mark.django_db
def test_first_sign_in_provisions_the_person(client, saml_idp, orbital):
    saml_idp.add_person("sia", email=f"sia@{DOMAIN}", name="Sia Saml")
    acs, fields = sign_in(client, saml_idp, f"sia@{DOMAIN}", "sia")
    response = post_to_portal(client, acs, fields)
    assert response.status_code == 302, told(response)
    sia = User.objects.get(email=f"sia@{DOMAIN}")
    assert (sia.organization, sia.org_role, sia.full_name) == (orbital, OrgRole.MEMBER, "Sia Saml")
    assert client.session["_auth_user_id"] == str(sia.pk)


@pytest.mark.django_db
def test_a_replayed_response_is_refused(client, saml_idp, orbital):
    saml_idp.add_person("rae", email=f"rae@{DOMAIN}", name="Rae")
    acs, fields = sign_in(client, saml_idp, f"rae@{DOMAIN}", "rae")
    assert post_to_portal(client, acs, fields).status_code == 302
    client.logout()
    client.defaults["HTTP_HOST"] = "testserver"
    response = post_to_portal(client, acs, fields)
    assert response["Location"] == reverse("account_login")
    assert "did not work" in told(response)
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(organization=orbital, kind=SignInEventKind.PROVIDER_ERROR).exists()


@pytest.mark.django_db
def test_an_expired_response_is_refused(client, saml_idp, orbital, time_machine):
    saml_idp.add_person("eli", email=f"eli@{DOMAIN}", name="Eli")
    acs, fields = sign_in(client, saml_idp, f"eli@{DOMAIN}", "eli")
    time_machine.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    response = post_to_portal(client, acs, fields)
    assert response["Location"] == reverse("account_login")
    assert "did not work" in told(response)
    assert not User.objects.filter(email=f"eli@{DOMAIN}").exists()
    event = SignInEvent.objects.get(organization=orbital, kind=SignInEventKind.PROVIDER_ERROR)
    assert "expired" in event.detail.lower() or "notonorafter" in event.detail.lower(), event.detail


@pytest.mark.django_db
def test_a_response_signed_with_another_certificate_is_refused(
    client, saml_idp, orbital, orbital_admin, tmp_path
):
    _, _, other = make_certificate(tmp_path, "impostor")
    configure(
        orbital_admin,
        saml_idp.entity_id,
        protocol=Protocol.SAML,
        client_id="",
        client_secret="",
        sso_url=saml_idp.sso_url,
        certificate="".join(line for line in other.splitlines() if "-----" not in line),
        name="Orbital SAML",
    )
    saml_idp.add_person("ian", email=f"ian@{DOMAIN}", name="Ian")
    acs, fields = sign_in(client, saml_idp, f"ian@{DOMAIN}", "ian")
    response = post_to_portal(client, acs, fields)
    assert response["Location"] == reverse("account_login")
    assert not User.objects.filter(email=f"ian@{DOMAIN}").exists()
    event = SignInEvent.objects.get(organization=orbital, kind=SignInEventKind.PROVIDER_ERROR)
    assert "signature" in event.detail.lower(), event.detail


@pytest.mark.django_db
def test_an_email_outside_the_domains_is_refused(client, saml_idp, orbital):
    saml_idp.add_person("eve", email="eve@elsewhere.test", name="Eve")
    acs, fields = sign_in(client, saml_idp, f"eve@{DOMAIN}", "eve")
    response = post_to_portal(client, acs, fields)
    assert "eve@elsewhere.test is not an address Orbital Therapeutics signs in with" in told(response)
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(organization=orbital, kind=SignInEventKind.OUTSIDE_DOMAINS).exists()
