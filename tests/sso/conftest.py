import pytest

from portal.accounts.models import OrgRole
from portal.sso import services
from tests.factories.organizations import SponsorFactory, UserFactory

from .idp import CLIENT_ID, CLIENT_SECRET, start_openid_provider

DOMAIN = "orbital.test"


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


@pytest.fixture
def configured(orbital_admin, idp):
    return configure(orbital_admin, idp.issuer)
