"""allauth's social-account adapter for single sign-on per organization.

Apps come from our IdentityProvider rows (apps_builder); a sign-in through an organization's
identity provider is accepted only for an address in that organization's domains, and for an
existing account only if it belongs to that organization. The first sign-in provisions the person
into the organization with the role its admin chose. Every refusal is a message to the person and
an entry for the admins (events.py), never a session.
"""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from portal.accounts.models import User
from portal.core.audit import audited

from . import events, fresh
from .apps_builder import social_apps
from .models import SignInEventKind
from .selectors import domain_of, domains_of, identity_provider_for_slug

GENERIC_FAILURE = (
    "Signing in through your organization's identity provider did not work. Try again; if it keeps "
    "failing, your organization's admin can see what happened."
)


def _identity_provider(sociallogin_or_provider):
    provider = getattr(sociallogin_or_provider, "provider", sociallogin_or_provider)
    app = getattr(provider, "app", None)
    return identity_provider_for_slug(app.provider_id) if app is not None else None


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        user = getattr(request, "user", None)
        organization_id = user.organization_id if user is not None and user.is_authenticated else None
        return social_apps(provider=provider, client_id=client_id, organization_id=organization_id)

    def pre_social_login(self, request, sociallogin) -> None:
        identity_provider = _identity_provider(sociallogin)
        if identity_provider is not None and fresh.is_fresh_sign_in(sociallogin):
            raise fresh.finish(request, identity_provider, sociallogin)  # never a sign-in
        if identity_provider is None or not identity_provider.enabled:
            raise events.refuse(request, GENERIC_FAILURE)
        organization = identity_provider.organization
        email = (sociallogin.user.email or "").strip().lower()
        if not email or domain_of(email) not in domains_of(identity_provider):
            events.record(
                organization=organization,
                kind=SignInEventKind.OUTSIDE_DOMAINS,
                email=email,
                detail=f"{identity_provider.name} answered with {email or 'no email address'}.",
            )
            raise events.refuse(
                request,
                f"{email or 'Your identity provider gave no email address, so it'} is not an address "
                f"{organization} signs in with. Ask your organization's admin.",
            )
        existing = (
            sociallogin.user if sociallogin.is_existing else User.objects.filter(email__iexact=email).first()
        )
        if existing is not None and existing.organization_id != organization.pk:
            events.record(
                organization=organization,
                kind=SignInEventKind.OTHER_ORGANIZATION,
                email=email,
                detail="The portal account with this address belongs to another organization.",
            )
            raise events.refuse(
                request,
                f"The account {email} does not belong to {organization}. Ask your organization's admin.",
            )
        if existing is not None and existing.is_active:
            events.record(organization=organization, kind=SignInEventKind.SIGNED_IN, email=email)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        """Invitations stay the only door for passwords; an organization's identity provider opens
        one for its own domains (checked in pre_social_login)."""
        return _identity_provider(sociallogin) is not None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").strip().lower()
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        user.full_name = (name or user.email.partition("@")[0])[:200]
        return user

    def save_user(self, request, sociallogin, form=None):
        identity_provider = _identity_provider(sociallogin)
        organization = identity_provider.organization
        user = sociallogin.user
        if domain_of(user.email or "") not in domains_of(identity_provider):
            raise events.refuse(request, GENERIC_FAILURE)  # never an address the provider did not vouch for
        user.organization = organization
        user.org_role = identity_provider.default_role
        user.time_zone = organization.time_zone
        with audited(f"{user.email} joined {organization} through {identity_provider.name}"):
            user = super().save_user(request, sociallogin, form=form)
        events.record(
            organization=organization,
            kind=SignInEventKind.PROVISIONED,
            email=user.email,
            detail=f"Added as {user.get_org_role_display()}.",
        )
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        identity_provider = _identity_provider(provider)
        if identity_provider is not None:
            reason = (extra_context or {}).get("saml_last_error_reason") or (
                repr(exception) if exception else ""
            )
            detail = f"{error or 'error'}: {reason}" if reason else f"{error or 'error'}"
            back_to_signing = fresh.failed(request, identity_provider, detail)
            if back_to_signing is not None:
                raise back_to_signing
            events.record(
                organization=identity_provider.organization,
                kind=SignInEventKind.PROVIDER_ERROR,
                detail=detail,
            )
        raise events.refuse(request, GENERIC_FAILURE)
