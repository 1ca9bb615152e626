"""A SAML identity provider configured from its metadata document: read once when the admin saves,
refused on the field when it is broken."""

import pytest
from django.urls import reverse

from portal.sso.models import IdentityProvider, Protocol

from .conftest import DOMAIN
from .saml_idp import new_saml_identity_provider

URL = reverse("sso:settings")


def saml_form(**overrides):
    data = {
        "protocol": "saml",
        "name": "Orbital SAML",
        "email_domains": DOMAIN,
        "default_role": "member",
        "enabled": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def running_saml_idp(tmp_path):
    idp = new_saml_identity_provider(tmp_path)
    idp.start(
        "<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='http://testserver/sp'/>"
    )
    yield idp
    idp.stop()


@pytest.mark.django_db
def test_the_metadata_document_fills_entity_id_sign_on_url_and_certificate(
    client, orbital, orbital_admin, running_saml_idp
):
    client.force_login(orbital_admin)
    response = client.post(URL, saml_form(metadata_url=running_saml_idp.entity_id))
    assert response.status_code == 302, response.context["form"].errors
    saved = IdentityProvider.objects.get(organization=orbital)
    assert saved.protocol == Protocol.SAML
    assert (saved.issuer_url, saved.sso_url) == (running_saml_idp.entity_id, running_saml_idp.sso_url)
    assert saved.certificate and saved.certificate in running_saml_idp.certificate.replace("\n", "")
    assert not saved.client_secret_encrypted


@pytest.mark.django_db
def test_a_broken_metadata_document_is_a_field_error(client, orbital_admin, running_saml_idp, idp):
    client.force_login(orbital_admin)
    for url, expected in [
        (f"{running_saml_idp.base}/nowhere", "answered HTTP 404"),
        (f"{idp.issuer}/.well-known/openid-configuration", "is not SAML metadata"),  # JSON
        (f"{running_saml_idp.base}/sso/redirect?SAMLRequest=x", "not SAML metadata"),  # an HTML page
    ]:
        response = client.post(URL, saml_form(metadata_url=url))
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors.get("metadata_url", []))
        assert expected in errors, (url, errors, response.context["form"].errors)
    assert not IdentityProvider.objects.exists()


@pytest.mark.django_db
def test_a_certificate_that_is_not_one_is_a_field_error(client, orbital_admin):
    client.force_login(orbital_admin)
    response = client.post(
        URL,
        saml_form(
            issuer_url="https://idp.example/",
            sso_url="https://idp.example/sso",
            certificate="not a certificate",
        ),
    )
    assert response.status_code == 200
    assert "not an X.509 certificate" in " ".join(response.context["form"].errors["certificate"])
