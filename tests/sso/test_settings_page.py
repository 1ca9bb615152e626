"""The organization admin's single sign-on page: saved through the real discovery check against a
running OpenID Provider, the secret encrypted and never shown again, domains one organization's."""

import pytest
from django.urls import reverse

from portal.accounts.models import OrgRole
from portal.sso.models import EmailDomain, IdentityProvider, SignInEvent, SignInEventKind, SigningMethod
from portal.sso.secrets import decrypt
from tests.factories.organizations import SponsorFactory, UserFactory

from .conftest import DOMAIN, configure
from .idp import CLIENT_SECRET

URL = reverse("sso:settings")


def form_data(issuer, **overrides):
    data = {
        "protocol": "oidc",
        "name": "Orbital Okta",
        "issuer_url": issuer,
        "client_id": "meridian-portal",
        "client_secret": CLIENT_SECRET,
        "email_domains": f"{DOMAIN}\nlab.{DOMAIN}",
        "default_role": OrgRole.MEMBER,
        "enabled": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_only_the_organizations_admins_see_the_page(client, orbital, orbital_admin, outsider):
    member = UserFactory(organization=orbital, email=f"m@{DOMAIN}", org_role=OrgRole.EXECUTIVE)
    client.force_login(member)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data("http://127.0.0.1:1")).status_code == 404
    client.force_login(orbital_admin)
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_the_admin_saves_the_provider_and_the_secret_is_never_shown_again(
    client, orbital, orbital_admin, idp
):
    client.force_login(orbital_admin)
    response = client.post(URL, form_data(idp.issuer))
    assert response.status_code == 302, response.context["form"].errors
    saved = IdentityProvider.objects.get(organization=orbital)
    assert CLIENT_SECRET not in saved.client_secret_encrypted
    assert decrypt(saved.client_secret_encrypted) == CLIENT_SECRET
    assert sorted(d.domain for d in saved.domains.all()) == [f"lab.{DOMAIN}", DOMAIN]
    page = client.get(URL).content.decode()
    assert CLIENT_SECRET not in page
    assert "A secret is stored (encrypted)" in page
    assert f"http://testserver/accounts/oidc/{orbital.slug}/login/callback/" in page

    # Saved again without a secret: the stored one stays; a domain left out is removed, not deleted.
    response = client.post(URL, form_data(idp.issuer, client_secret="", email_domains=DOMAIN))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert decrypt(saved.client_secret_encrypted) == CLIENT_SECRET
    assert EmailDomain.objects.get(domain=f"lab.{DOMAIN}").removed_at is not None


@pytest.mark.django_db
def test_a_broken_discovery_document_is_a_field_error_and_nothing_is_saved(
    client, orbital, orbital_admin, idp
):
    client.force_login(orbital_admin)
    for issuer, expected in [
        (f"{idp.issuer}/nowhere", "answered HTTP 404"),
        (f"{idp.issuer}/jwks", "answered HTTP 404"),  # not a discovery document's place
        ("http://127.0.0.1:9/", "could not be fetched"),
    ]:
        response = client.post(URL, form_data(issuer))
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors["issuer_url"])
        assert expected in errors, errors
        assert issuer in response.content.decode()  # what was typed comes back
    assert not IdentityProvider.objects.exists()


@pytest.mark.django_db
def test_a_domain_belongs_to_one_organization(client, orbital_admin, idp):
    configure(orbital_admin, idp.issuer, email_domains=[DOMAIN, f"lab.{DOMAIN}"])
    rival = SponsorFactory(name="Rival Bio")
    rival_admin = UserFactory(organization=rival, org_role=OrgRole.ADMIN, email="admin@rival.test")
    client.force_login(rival_admin)
    response = client.post(URL, form_data(idp.issuer, email_domains=f"rival.test, lab.{DOMAIN}"))
    assert response.status_code == 200
    assert f"lab.{DOMAIN} is already used by another organization" in response.content.decode()
    assert not IdentityProvider.objects.filter(organization=rival).exists()


@pytest.mark.django_db
def test_a_domain_where_another_organizations_people_are_is_refused(client, orbital_admin, idp, outsider):
    client.force_login(orbital_admin)
    response = client.post(URL, form_data(idp.issuer, email_domains="other.test"))
    assert response.status_code == 200
    assert "people of another organization have addresses there" in response.content.decode()


@pytest.mark.django_db
def test_bad_input_comes_back_with_field_errors(client, orbital_admin, idp):
    client.force_login(orbital_admin)
    response = client.post(
        URL,
        form_data(idp.issuer, client_secret="", email_domains="not a domain!", enforce="on", enabled=None),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "client_secret" in errors and "email_domains" in errors and "enforce" in errors


@pytest.mark.django_db
def test_the_page_reads_a_fixed_number_of_queries(
    client, orbital, orbital_admin, configured, django_assert_num_queries
):
    client.force_login(orbital_admin)
    client.get(URL)
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200
    for n in range(30):
        SignInEvent.objects.create(
            organization=orbital, kind=SignInEventKind.SIGNED_IN, email=f"p{n}@{DOMAIN}"
        )
    with django_assert_num_queries(8):
        assert client.get(URL).content.decode().count(f"@{DOMAIN}") >= 30


@pytest.mark.django_db
def test_the_admin_chooses_how_people_sign_and_the_change_is_in_the_history(
    client, orbital, orbital_admin, idp
):
    client.force_login(orbital_admin)
    page = client.get(URL).content.decode()
    assert "Electronic signatures" in page and "Fresh sign-in at the identity provider" in page
    assert client.post(URL, form_data(idp.issuer)).status_code == 302
    saved = IdentityProvider.objects.get(organization=orbital)
    assert saved.signing_method == SigningMethod.PASSWORD  # the default: today's signing password
    response = client.post(URL, form_data(idp.issuer, client_secret="", signing_method="fresh_sign_in"))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.signing_method == SigningMethod.FRESH_SIGN_IN
    history = IdentityProvider.pgh_event_model.objects.filter(pgh_obj=saved).order_by("pgh_id")
    assert list(history.values_list("signing_method", flat=True)) == ["password", "fresh_sign_in"]
    refused = client.post(URL, form_data(idp.issuer, client_secret="", signing_method="by carrier pigeon"))
    assert refused.status_code == 200 and "signing_method" in refused.context["form"].errors
