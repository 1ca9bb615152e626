"""What the sign-in page asks single sign-on (registered with portal.accounts.sign_in in ready()):
where an email address signs in, and whether a right password is still refused."""

from __future__ import annotations

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.shortcuts import redirect, render
from onelogin.saml2.errors import OneLogin_Saml2_Error

from . import events
from .models import IdentityProvider, SignInEventKind
from .secrets import SecretUnreadable, decrypt
from .selectors import identity_provider_for_email

# What starting a round trip to an identity provider can raise when its set-up or the provider is
# at fault (unreachable, a document it cannot read, a secret that no key decrypts): each is a
# message to the person and an entry for the admins, never a 500. Signing in and signing
# (fresh.py) both start one.
STARTING_FAILED = (
    requests.RequestException,
    ValueError,
    KeyError,
    OAuth2Error,
    SecretUnreadable,
    SocialApp.DoesNotExist,
    OneLogin_Saml2_Error,
)

UNREACHABLE = (
    "{organization}'s identity provider cannot be reached right now, so you cannot sign in. "
    "Try again in a few minutes; your organization's admin has been told."
)


def start_sign_in(request, identity_provider: IdentityProvider, next_url: str | None):
    """Send the person on to their organization's identity provider (allauth keeps the state, the
    PKCE verifier and `next` in the session). A configuration that cannot be used (an issuer whose
    discovery document does not answer or is not one, a secret our keys cannot read) is a message
    to the person and an entry for the admins."""
    organization = identity_provider.organization
    try:
        decrypt(identity_provider.client_secret_encrypted)  # SAML has none: ""
        provider = get_adapter(request).get_provider(request, identity_provider.provider_id)
        redirect_response = provider.redirect(request, AuthProcess.LOGIN, next_url=next_url)
    except STARTING_FAILED as exc:
        events.record(
            organization=organization,
            kind=SignInEventKind.CONFIGURATION,
            detail=f"Starting a sign-in at {identity_provider.issuer_url} failed: {exc!r}",
        )
        messages.error(request, UNREACHABLE.format(organization=organization))
        return redirect("account_login")
    if not redirect_response.get("Location", "").startswith(("https://", "http://")):
        return redirect_response  # back to our sign-in page: the adapter recorded why
    # A page of ours, not a redirect: the sign-in form's Content-Security-Policy (form-action
    # 'self') also covers where its POST redirects, and the identity provider is elsewhere.
    context = {"identity_provider": identity_provider, "continue_url": redirect_response["Location"]}
    return render(request, "sso/continue.html", context)


def route_for_email(email: str):
    identity_provider = identity_provider_for_email(email)
    if identity_provider is None:
        return None

    def start(request, next_url):
        return start_sign_in(request, identity_provider, next_url)

    return start


def password_refusal(request, user) -> str | None:
    if not user.organization_id:
        return None
    identity_provider = (
        IdentityProvider.objects.filter(organization_id=user.organization_id, enabled=True, enforce=True)
        .select_related("organization")
        .first()
    )
    if identity_provider is None or identity_provider.break_glass_user_id == user.pk:
        return None
    events.record(
        organization=identity_provider.organization,
        kind=SignInEventKind.PASSWORD_REFUSED,
        email=user.email,
        detail="The password was right; single sign-on is enforced.",
    )
    return (
        f"{identity_provider.organization} signs in through {identity_provider.name}: leave the password "
        "empty and choose “Sign in” to continue there."
    )
