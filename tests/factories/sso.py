"""Single sign-on rows for tests that must cover every model (tests/world.py). The tests of single
sign-on itself configure it through the real service against a running identity provider
(tests/sso/conftest.py); these rows are switched off, so they route no one."""

from portal.sso.models import EmailDomain, IdentityProvider, SignInEvent, SignInEventKind
from portal.sso.secrets import encrypt


def populate_project(project):
    identity_provider, _ = IdentityProvider.objects.get_or_create(
        organization=project.sponsor,
        defaults={
            "name": "Sponsor single sign-on",
            "issuer_url": "https://idp.invalid/",
            "client_id": "portal",
            "client_secret_encrypted": encrypt("not-a-real-secret"),
            "enabled": False,
        },
    )
    EmailDomain.objects.get_or_create(
        identity_provider=identity_provider, domain=f"sso-{project.sponsor.slug}.invalid"
    )
    SignInEvent.objects.create(
        organization=project.sponsor, kind=SignInEventKind.CONFIGURATION, detail="Created for the test world."
    )
