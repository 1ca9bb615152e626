"""The edges of single sign-on: allauth's own pages for the provider, a secret our keys cannot
read, and the login page of a person who signs in with neither a password nor single sign-on."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portal.sso.models import IdentityProvider, SignInEvent, SignInEventKind

from .conftest import DOMAIN


@pytest.mark.django_db
def test_allauths_own_pages_for_the_provider_render(client, configured, orbital_admin):
    login_url = reverse("openid_connect_login", kwargs={"provider_id": "orbital"})
    response = client.get(login_url)
    assert response.status_code == 200  # allauth asks to confirm with a POST (no sign-in on GET)
    assert "Orbital Okta" in response.content.decode()
    assert client.get(reverse("openid_connect_login", kwargs={"provider_id": "nobody"})).status_code == 404
    client.force_login(orbital_admin)
    assert "Orbital Okta" in client.get(reverse("socialaccount_connections")).content.decode()


@pytest.mark.django_db
def test_another_organizations_people_never_see_its_identity_provider(client, configured, outsider):
    client.force_login(outsider)
    response = client.get(reverse("socialaccount_connections"))
    assert response.status_code == 200
    assert "Orbital Okta" not in response.content.decode()


@pytest.mark.django_db
def test_a_secret_the_keys_cannot_read_is_a_message_and_an_entry(client, configured, orbital, settings):
    settings.SSO_SECRET_KEYS = [
        "J0TehqBKz9vfco2i6Q8WCm8s_Gue0EUKiTQeKraPCQ0="
    ]  # not the key it was stored with
    response = client.post(reverse("account_login"), {"login": f"someone@{DOMAIN}", "password": ""})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "cannot be reached right now" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    event = SignInEvent.objects.get(organization=orbital, kind=SignInEventKind.CONFIGURATION)
    assert "cannot be decrypted" in event.detail


@pytest.mark.django_db
def test_a_switched_off_provider_routes_no_one(client, configured):
    IdentityProvider.objects.filter(pk=configured.pk).update(enabled=False)
    response = client.post(reverse("account_login"), {"login": f"someone@{DOMAIN}", "password": ""})
    assert response.status_code == 200 and "Enter your password." in response.content.decode()
    assert client.get(reverse("openid_connect_login", kwargs={"provider_id": "orbital"})).status_code == 404
