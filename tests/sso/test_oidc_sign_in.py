"""Signing in through an organization's OpenID Connect identity provider: a real panva
oidc-provider on a loopback port (tests/sso/idp.py), the portal's own allauth flow, no mocks."""

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.messages import get_messages
from django.urls import reverse

from portal.accounts.models import OrgRole, User
from portal.sso.models import SignInEvent, SignInEventKind
from tests.factories.organizations import SponsorFactory, UserFactory

from .conftest import DOMAIN, configure
from .idp import walk_to_portal

PORTAL = "http://testserver"


def start(client, email, next_url=None):
    """The sign-in page with the email only: the portal sends the person to their identity provider."""
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": ""})


def sign_in(client, idp, email, login, password="idp-password-1", session=None):
    response = start(client, email)
    assert response.status_code == 200 and response.context["continue_url"].startswith(idp.issuer), response
    callback = walk_to_portal(
        response.context["continue_url"], PORTAL, login=login, password=password, session=session
    )
    return client.get(callback.removeprefix(PORTAL)), callback


def signed_in_user(client):
    return client.get(reverse("accounts:profile")).wsgi_request.user


def told(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_the_sign_in_page_sends_the_domain_to_its_identity_provider(client, configured, idp):
    response = start(client, f"new.person@{DOMAIN.upper()}")
    assert response.status_code == 200
    url = response.context["continue_url"]
    assert url.startswith(f"{idp.issuer}/auth?")
    assert "client_id=meridian-portal" in url
    assert "code_challenge=" in url  # PKCE
    # Onwards by a link and a refresh, not a redirect: the form's CSP (form-action 'self') would stop it.
    assert f'content="0;url={url.replace("&", "&amp;")}"' in response.content.decode()


@pytest.mark.django_db
def test_an_address_without_single_sign_on_still_needs_its_password(client, configured):
    response = start(client, "someone@elsewhere.test")
    assert response.status_code == 200
    assert "Enter your password." in response.content.decode()


@pytest.mark.django_db
def test_first_sign_in_provisions_the_person_with_the_default_role(
    client, configured, idp, orbital, orbital_admin
):
    configure(orbital_admin, idp.issuer, client_secret="", default_role=OrgRole.EXECUTIVE)
    idp.add_person("nina", email=f"nina@{DOMAIN}", name="Nina Novak")
    response, _ = sign_in(client, idp, f"nina@{DOMAIN}", "nina")
    assert response.status_code == 302
    nina = User.objects.get(email=f"nina@{DOMAIN}")
    assert (nina.organization, nina.org_role, nina.full_name) == (orbital, OrgRole.EXECUTIVE, "Nina Novak")
    assert not nina.has_usable_password()
    assert signed_in_user(client) == nina
    assert SignInEvent.objects.filter(
        organization=orbital, kind=SignInEventKind.PROVISIONED, email=nina.email
    ).exists()
    # The secret lives in our table only, encrypted; allauth's table stays empty.
    assert not SocialApp.objects.exists()

    client.logout()
    response, _ = sign_in(client, idp, f"nina@{DOMAIN}", "nina")
    assert signed_in_user(client) == nina
    assert User.objects.filter(email=f"nina@{DOMAIN}").count() == 1


@pytest.mark.django_db
def test_an_invited_member_signs_in_to_the_same_account(client, configured, idp, orbital):
    member = UserFactory(organization=orbital, email=f"mo@{DOMAIN}", org_role=OrgRole.MEMBER)
    idp.add_person("mo", email=f"mo@{DOMAIN}", name="Mo Member")
    sign_in(client, idp, f"mo@{DOMAIN}", "mo")
    assert signed_in_user(client) == member
    assert SocialAccount.objects.get(user=member).provider == "orbital"


@pytest.mark.django_db
def test_an_email_outside_the_domains_is_refused_with_a_message_and_an_entry(
    client, configured, idp, orbital
):
    idp.add_person("eve", email="eve@elsewhere.test", name="Eve Elsewhere")
    response, _ = sign_in(client, idp, f"eve@{DOMAIN}", "eve")
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "eve@elsewhere.test is not an address Orbital Therapeutics signs in with" in told(response)
    assert not signed_in_user(client).is_authenticated
    assert not User.objects.filter(email="eve@elsewhere.test").exists()
    event = SignInEvent.objects.get(organization=orbital, kind=SignInEventKind.OUTSIDE_DOMAINS)
    assert event.email == "eve@elsewhere.test"


@pytest.mark.django_db
def test_an_account_of_another_organization_is_refused(client, configured, idp, orbital):
    other = SponsorFactory(name="Elsewhere Bio")
    UserFactory(organization=other, email=f"spy@{DOMAIN}")  # came after the domain was claimed
    idp.add_person("spy", email=f"spy@{DOMAIN}", name="Spy")
    response, _ = sign_in(client, idp, f"spy@{DOMAIN}", "spy")
    assert f"The account spy@{DOMAIN} does not belong to Orbital Therapeutics" in told(response)
    assert not signed_in_user(client).is_authenticated
    assert SignInEvent.objects.filter(organization=orbital, kind=SignInEventKind.OTHER_ORGANIZATION).exists()


@pytest.mark.django_db
def test_a_person_removed_at_the_identity_provider_cannot_sign_in(client, configured, idp):
    browser = requests.Session()  # the person's browser: it keeps its session at the provider
    idp.add_person("rex", email=f"rex@{DOMAIN}", name="Rex")
    sign_in(client, idp, f"rex@{DOMAIN}", "rex", session=browser)
    client.logout()
    idp.remove_person("rex")
    with pytest.raises(AssertionError, match="the identity provider stopped"):
        sign_in(client, idp, f"rex@{DOMAIN}", "rex", session=browser)
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_a_replayed_callback_is_refused(client, configured, idp, orbital):
    idp.add_person("pat", email=f"pat@{DOMAIN}", name="Pat")
    _, callback = sign_in(client, idp, f"pat@{DOMAIN}", "pat")
    client.logout()
    response = client.get(callback.removeprefix(PORTAL))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "did not work" in told(response)
    assert not signed_in_user(client).is_authenticated
    assert SignInEvent.objects.filter(organization=orbital, kind=SignInEventKind.PROVIDER_ERROR).exists()


@pytest.mark.django_db
def test_a_wrong_client_secret_is_refused_with_an_entry(client, orbital_admin, idp, orbital):
    configure(orbital_admin, idp.issuer, client_secret="not-the-secret")
    idp.add_person("sam", email=f"sam@{DOMAIN}", name="Sam")
    response, _ = sign_in(client, idp, f"sam@{DOMAIN}", "sam")
    assert "did not work" in told(response)
    assert not signed_in_user(client).is_authenticated
    assert not User.objects.filter(email=f"sam@{DOMAIN}").exists()
    assert SignInEvent.objects.filter(organization=orbital, kind=SignInEventKind.PROVIDER_ERROR).exists()


@pytest.mark.django_db
def test_an_identity_provider_that_does_not_answer_is_a_message_not_a_500(client, configured, idp, orbital):
    idp.stop()
    response = start(client, f"anyone@{DOMAIN}")
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "cannot be reached right now" in told(response)
    assert SignInEvent.objects.filter(organization=orbital, kind=SignInEventKind.CONFIGURATION).exists()
