"""Writes of an organization's single sign-on configuration."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from portal.accounts.models import OrgRole, User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError

from .models import EmailDomain, IdentityProvider, Protocol, SigningMethod
from .secrets import encrypt


def _require_admin(actor: User) -> None:
    if not actor.is_org_admin:
        raise NotAllowed("Only an admin of this organization can do that.")


def _claim_domains(identity_provider: IdentityProvider, domains: list[str]) -> None:
    """Keep `domains` live for this identity provider: the ones dropped are marked removed, new ones
    added. A domain another organization uses, or where another organization's people have their
    addresses, is refused: routing it here would send them to this identity provider."""
    organization = identity_provider.organization
    now = clock.now()
    live = {d.domain.lower(): d for d in identity_provider.domains.filter(removed_at__isnull=True)}
    for domain, row in live.items():
        if domain not in domains:
            row.removed_at = now
            row.save(update_fields=["removed_at"])
    for domain in domains:
        if domain in live:
            continue
        if User.objects.filter(email__iendswith=f"@{domain}").exclude(organization=organization).exists():
            raise ServiceError(f"{domain}: people of another organization have addresses there.")
        try:
            with transaction.atomic():
                EmailDomain.objects.create(identity_provider=identity_provider, domain=domain, added_at=now)
        except IntegrityError as exc:
            raise ServiceError(f"{domain} is already used by another organization's single sign-on.") from exc


def identity_provider_save(
    *,
    actor: User,
    name: str,
    issuer_url: str,
    client_id: str,
    client_secret: str,
    email_domains: list[str],
    default_role: str,
    enabled: bool,
    enforce: bool,
    break_glass_user: User | None,
    protocol: str = Protocol.OIDC,
    sso_url: str = "",
    certificate: str = "",
    signing_method: str = SigningMethod.PASSWORD,
) -> IdentityProvider:
    """Create or change the actor's organization's identity provider (OpenID Connect, or SAML with
    `sso_url` and `certificate`). An empty `client_secret` keeps the stored one; a new one is
    stored encrypted only."""
    _require_admin(actor)
    organization = actor.organization
    if default_role not in OrgRole.values:
        raise ServiceError("Choose a role.")
    if break_glass_user is not None and not (
        break_glass_user.organization_id == organization.pk and break_glass_user.is_org_admin
    ):
        raise ServiceError("The break-glass admin must be an admin of your organization.")
    if enforce and not enabled:
        raise ServiceError("Single sign-on can be enforced only while sign-in through it is on.")
    if signing_method not in SigningMethod.values:
        raise ServiceError("Choose how people sign electronically.")
    with transaction.atomic(), audited("Single sign-on settings changed"):
        identity_provider = IdentityProvider.objects.select_for_update().filter(
            organization=organization
        ).first() or IdentityProvider(organization=organization)
        if protocol == Protocol.OIDC and not client_secret and not identity_provider.client_secret_encrypted:
            raise ServiceError("Give the client secret your identity provider issued.")
        identity_provider.protocol = protocol
        identity_provider.sso_url = sso_url.strip() if protocol == Protocol.SAML else ""
        identity_provider.certificate = certificate.strip() if protocol == Protocol.SAML else ""
        identity_provider.name = name.strip()
        identity_provider.issuer_url = issuer_url.strip()
        identity_provider.client_id = client_id.strip()
        if client_secret:
            identity_provider.client_secret_encrypted = encrypt(client_secret)
        identity_provider.default_role = default_role
        identity_provider.enabled = enabled
        identity_provider.enforce = enforce
        identity_provider.break_glass_user = break_glass_user
        identity_provider.signing_method = signing_method
        identity_provider.updated_at = clock.now()
        identity_provider.save()
        _claim_domains(identity_provider, email_domains)
    return identity_provider
