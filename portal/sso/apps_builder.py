"""allauth's apps built from our configuration, never stored in allauth's SocialApp table (which
would keep the client secret in clear): the adapter's `list_apps` asks here on every sign-in."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp

from .models import IdentityProvider, Protocol
from .saml import SAML_PROVIDER, saml_social_app
from .secrets import SecretUnreadable, decrypt
from .selectors import domains_of, enabled_identity_providers

OIDC_PROVIDER = "openid_connect"


def social_app(identity_provider: IdentityProvider) -> SocialApp:
    """An unsaved SocialApp for allauth's `openid_connect` provider, keyed by the organization's slug."""
    return SocialApp(
        provider=OIDC_PROVIDER,
        provider_id=identity_provider.provider_id,
        name=identity_provider.name,
        client_id=identity_provider.client_id,
        secret=decrypt(identity_provider.client_secret_encrypted),
        settings={
            "server_url": identity_provider.issuer_url,
            # The organization vouches for its own domains: addresses there count as verified,
            # and an invited person's existing account is signed in by their address.
            "verified_email": domains_of(identity_provider),
            "email_authentication": True,
            "oauth_pkce_enabled": True,
        },
    )


def social_apps(
    *, provider: str | None = None, client_id: str | None = None, organization_id=None
) -> list[SocialApp]:
    """The apps allauth asks for: one organization's by its slug (a sign-in under way; allauth's
    SAML views ask by `client_id`, which is the slug there), or, for a list (allauth's connections
    page), only `organization_id`'s: which identity provider another organization uses is theirs
    to know."""
    found = enabled_identity_providers()
    if provider == OIDC_PROVIDER:
        found = found.filter(protocol=Protocol.OIDC)
        if client_id:
            found = found.filter(client_id=client_id)
    elif provider == SAML_PROVIDER:
        found = found.filter(protocol=Protocol.SAML)
        if client_id:
            found = found.filter(organization__slug=client_id)
    elif provider:
        found = found.filter(organization__slug=provider)
    if not provider or (provider in (OIDC_PROVIDER, SAML_PROVIDER) and not client_id):
        found = found.filter(organization_id=organization_id)
    apps = []
    for identity_provider in found:
        if identity_provider.protocol == Protocol.SAML:
            apps.append(saml_social_app(identity_provider))
            continue
        try:
            apps.append(social_app(identity_provider))
        except SecretUnreadable:
            continue  # the sign-in route records it for the admins (routing.start)
    return apps
