import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from meetings.models import MeetingStatus
from portal.accounts.models import OrgRole
from portal.sso import services
from portal.sso.models import Protocol, SigningMethod
from tests.factories.meetings import held_meeting
from tests.factories.organizations import SponsorFactory, UserFactory

from .idp import CLIENT_ID, CLIENT_SECRET, start_openid_provider, walk_to_portal

DOMAIN = "orbital.test"
SPONSOR_DOMAIN = "acme.test"
PORTAL = "http://testserver"


@pytest.fixture
def orbital(db):
    return SponsorFactory(name="Orbital Therapeutics", slug="orbital")


@pytest.fixture
def orbital_admin(orbital):
    return UserFactory(
        organization=orbital, org_role=OrgRole.ADMIN, email=f"admin@{DOMAIN}", full_name="Ada Admin"
    )


@pytest.fixture
def start_idp(tmp_path):
    """Start a real OpenID Provider that sends people back to the given portal origins."""
    started = []

    def _start(*origins: str, slug: str = "orbital"):
        uris = [f"{origin}/accounts/oidc/{slug}/login/callback/" for origin in origins]
        provider = start_openid_provider(tmp_path, uris)
        started.append(provider)
        return provider

    yield _start
    for provider in started:
        provider.stop()


@pytest.fixture
def idp(start_idp):
    return start_idp("http://testserver")


def configure(admin, issuer: str, **overrides):
    values = dict(
        name="Orbital Okta",
        issuer_url=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        email_domains=[DOMAIN],
        default_role=OrgRole.MEMBER,
        enabled=True,
        enforce=False,
        break_glass_user=None,
    )
    values.update(overrides)
    return services.identity_provider_save(actor=admin, **values)


def configure_saml(admin, idp, **overrides):
    """`configure` for a SAML identity provider (`saml_idp.new_saml_identity_provider`)."""
    values = dict(
        protocol=Protocol.SAML,
        client_id="",
        client_secret="",
        sso_url=idp.sso_url,
        certificate=idp.certificate,
        name="Orbital SAML",
    )
    return configure(admin, idp.entity_id, **(values | overrides))


@pytest.fixture
def configured(orbital_admin, idp):
    return configure(orbital_admin, idp.issuer)


@pytest.fixture
def sponsor_admin(sponsor):
    return UserFactory(organization=sponsor, org_role=OrgRole.ADMIN, email=f"admin@{SPONSOR_DOMAIN}")


@pytest.fixture
def minutes(project, sponsor_lead, decision_maker, cdmo_pm, cdmo_sme):
    return held_meeting(project, status=MeetingStatus.MINUTES_SENT)


@pytest.fixture
def idp_browser():
    """The signer's browser at the identity provider: it keeps its session there."""
    return requests.Session()


@pytest.fixture
def sponsor_idp(start_idp, sponsor, sponsor_admin, sponsor_lead, client, idp_browser):
    """The sponsor's OpenID Provider, signing by a fresh sign-in there; the lead signed in through
    it once (so their account is linked, and their browser has a session at the provider)."""
    idp = start_idp(PORTAL, slug=sponsor.slug)
    configure(
        sponsor_admin,
        idp.issuer,
        name="Acme Okta",
        email_domains=[SPONSOR_DOMAIN],
        signing_method=SigningMethod.FRESH_SIGN_IN,
    )
    link_at_idp(client, idp, idp_browser, sponsor_lead, "emily", name="Emily Carter")
    assert SocialAccount.objects.filter(user=sponsor_lead, provider=sponsor.slug, uid="emily").exists()
    return idp


def link_at_idp(client, idp, idp_browser, user, login: str, *, name: str) -> None:
    """`user` is `login` at the OpenID Provider `idp` and signs in through it once: their account
    is linked and their browser (`idp_browser`) keeps a session there."""
    password = f"{login}s-idp-password"
    idp.add_person(login, email=user.email, name=name, password=password)
    response = client.post(reverse("account_login"), {"login": user.email, "password": ""})
    callback = walk_to_portal(
        response.context["continue_url"], PORTAL, login=login, password=password, session=idp_browser
    )
    client.get(callback.removeprefix(PORTAL))
