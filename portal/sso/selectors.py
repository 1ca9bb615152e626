"""Reads of single sign-on configuration."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import EmailDomain, IdentityProvider


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def live_domains():
    return EmailDomain.objects.filter(removed_at__isnull=True)


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled identity provider whose organization answers for this address's domain."""
    domain = domain_of(email)
    if not domain:
        return None
    found = (
        live_domains()
        .filter(domain__iexact=domain, identity_provider__enabled=True)
        .select_related("identity_provider__organization")
        .first()
    )
    return found.identity_provider if found else None


def identity_provider_for_slug(slug: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("organization")
        .prefetch_related(Prefetch("domains", queryset=live_domains()))
        .filter(organization__slug=slug)
        .first()
    )


def enabled_identity_providers():
    return (
        IdentityProvider.objects.filter(enabled=True)
        .select_related("organization")
        .prefetch_related(Prefetch("domains", queryset=live_domains()))
    )


def domains_of(identity_provider: IdentityProvider) -> list[str]:
    return [d.domain.lower() for d in identity_provider.domains.all() if d.removed_at is None]
