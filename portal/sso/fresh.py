"""A fresh sign-in at the person's own identity provider, asked by something above us (an electronic
signature, docs/sso.md): never a portal sign-in, only proof that the signed-in person has just
authenticated there again.

    response = start_fresh_sign_in(request, identity_provider, key=nonce, back_url=url, not_before=t)
    ...                                  # the identity provider, then allauth's callback, then:
    result = take_fresh_sign_in(request, nonce)   # FreshSignIn, or None when nothing came back

The request is forced: OpenID Connect `prompt=login` and `max_age=0`, SAML `ForceAuthn="true"`,
and the answer must say so: the ID token's `auth_time` (SAML: the assertion's `AuthnInstant`) at or
after `not_before` (to the second), for the same account at that provider (same uid) as the one
linked to the person. Anything else is refused: a message for the person, an entry for the admins,
and the person stays signed in to the portal (only the fresh sign-in failed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.saml.utils import build_auth
from django.conf import settings
from django.shortcuts import redirect, render

from . import events
from .models import IdentityProvider, Protocol, SignInEventKind, SigningMethod
from .routing import STARTING_FAILED
from .secrets import decrypt

PENDING_KEY = "sso_fresh_pending"
RESULTS_KEY = "sso_fresh_results"
STATE_KEY = "fresh_sign_in"


class FreshSignInUnavailable(Exception):
    """The identity provider could not be asked (configuration, unreachable): recorded for the admins."""


@dataclass(frozen=True)
class FreshSignIn:
    ok: bool
    identity_provider: str
    uid: str = ""
    authenticated_at: dt.datetime | None = None
    problem: str = ""


def signing_identity_provider(user) -> IdentityProvider | None:
    """The identity provider `user` signs through: their organization's, when it is on, asks for a
    fresh sign-in to sign, and `user` has an account linked to it (else: the signing password)."""
    if not getattr(user, "organization_id", None):
        return None
    if not hasattr(user, "_signing_identity_provider"):
        found = (
            IdentityProvider.objects.filter(
                organization_id=user.organization_id,
                enabled=True,
                signing_method=SigningMethod.FRESH_SIGN_IN,
            )
            .select_related("organization")
            .first()
        )
        if (
            found is not None
            and not SocialAccount.objects.filter(user=user, provider=found.provider_id).exists()
        ):
            found = None
        user._signing_identity_provider = found
    return user._signing_identity_provider


def _forced_redirect(request, identity_provider: IdentityProvider, back_url: str, key: str) -> str:
    provider = get_adapter(request).get_provider(request, identity_provider.provider_id)
    if identity_provider.protocol == Protocol.SAML:
        auth = build_auth(request, provider)
        url = auth.login(return_to="", force_authn=True)
        provider.stash_redirect_state(
            request,
            AuthProcess.REDIRECT,
            back_url,
            None,
            state_id=auth.get_last_request_id(),
            **{STATE_KEY: key},
        )
        return url
    decrypt(identity_provider.client_secret_encrypted)
    params = {**provider.get_auth_params(), "prompt": "login", "max_age": "0"}
    response = provider.redirect(
        request, AuthProcess.REDIRECT, next_url=back_url, auth_params=params, **{STATE_KEY: key}
    )
    return response.get("Location", "")


def start_fresh_sign_in(
    request, identity_provider: IdentityProvider, *, key: str, back_url: str, not_before: dt.datetime
):
    """A page that continues to the identity provider (a link and a 0-second refresh: the signing
    form's CSP says `form-action 'self'`, which also covers where its POST redirects)."""
    try:
        url = _forced_redirect(request, identity_provider, back_url, key)
    except STARTING_FAILED as exc:
        events.record(
            organization=identity_provider.organization,
            kind=SignInEventKind.CONFIGURATION,
            email=request.user.email,
            detail=f"Starting a fresh sign-in to sign at {identity_provider.issuer_url} failed: {exc!r}",
        )
        raise FreshSignInUnavailable(str(exc)) from exc
    if not url.startswith(("https://", "http://")):
        raise FreshSignInUnavailable("the identity provider's sign-in address could not be built")
    request.session[PENDING_KEY] = {
        "key": key,
        "provider": identity_provider.provider_id,
        "user": request.user.pk,
        "back": back_url,
        "not_before": int(not_before.timestamp()),
    }
    context = {"identity_provider": identity_provider, "continue_url": url}
    return render(request, "sso/continue_signing.html", context)


def _result(request, pending: dict, result: FreshSignIn) -> ImmediateHttpResponse:
    results = request.session.get(RESULTS_KEY) or {}
    results[pending["key"]] = {
        "ok": result.ok,
        "identity_provider": result.identity_provider,
        "uid": result.uid,
        "at": result.authenticated_at.isoformat() if result.authenticated_at else "",
        "problem": result.problem,
    }
    request.session[RESULTS_KEY] = results
    request.session.pop(PENDING_KEY, None)
    return ImmediateHttpResponse(redirect(pending["back"]))


def pending_for(request, provider_id: str) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    user = getattr(request, "user", None)
    if (
        not pending
        or pending.get("provider") != provider_id
        or user is None
        or user.pk != pending.get("user")
    ):
        return None
    return pending


def is_fresh_sign_in(sociallogin) -> bool:
    return bool((sociallogin.state or {}).get(STATE_KEY))


def _authenticated_at(request, identity_provider: IdentityProvider, sociallogin) -> dt.datetime | None:
    if identity_provider.protocol == Protocol.SAML:
        moment = getattr(request, "sso_authn_instant", None)  # set by saml_finish_view
    else:
        moment = (sociallogin.account.extra_data or {}).get("id_token", {}).get("auth_time")
    if not isinstance(moment, int | float):
        return None
    return dt.datetime.fromtimestamp(moment, dt.UTC)


def finish(request, identity_provider: IdentityProvider, sociallogin) -> ImmediateHttpResponse:
    """The identity provider's answer to a fresh sign-in: checked, the result kept for the caller
    (take_fresh_sign_in), and back to where it started. Raise what this returns."""
    pending = pending_for(request, identity_provider.provider_id)
    if pending is None or pending["key"] != sociallogin.state.get(STATE_KEY):
        # Another signing started since (one at a time), or another person's portal session: the
        # answer counts for nothing, and the signing page says its identity was not confirmed.
        return ImmediateHttpResponse(redirect(sociallogin.state.get("next") or "/"))
    email = request.user.email
    uid = sociallogin.account.uid
    at = _authenticated_at(request, identity_provider, sociallogin)
    problem = ""
    if not SocialAccount.objects.filter(
        user=request.user, provider=identity_provider.provider_id, uid=uid
    ).exists():
        problem = f"Someone else signed in at {identity_provider.name}: you sign only as yourself."
        detail = (
            f"Signing as {email}, but {identity_provider.name} answered for {sociallogin.user.email or uid}."
        )
    elif at is None or at.timestamp() + settings.SSO_CLOCK_SKEW_SECONDS < pending["not_before"]:
        problem = (
            f"{identity_provider.name} did not ask you to sign in again, so it cannot confirm this signature."
        )
        detail = f"The answer's authentication time ({at.isoformat() if at else 'none'}) is before the signing began."
    if problem:
        events.record(
            organization=identity_provider.organization,
            kind=SignInEventKind.SIGNING_REFUSED,
            email=email,
            detail=detail,
        )
        return _result(request, pending, FreshSignIn(False, identity_provider.name, uid, at, problem))
    return _result(request, pending, FreshSignIn(True, identity_provider.name, uid, at))


def failed(request, identity_provider: IdentityProvider, detail: str) -> ImmediateHttpResponse | None:
    """A fresh sign-in that did not come back (cancelled, an error answer): the person goes back to
    what they were signing. None when no fresh sign-in was under way."""
    pending = pending_for(request, identity_provider.provider_id)
    if pending is None:
        return None
    events.record(
        organization=identity_provider.organization,
        kind=SignInEventKind.SIGNING_REFUSED,
        email=request.user.email,
        detail=f"The fresh sign-in to sign did not complete: {detail}",
    )
    problem = f"Signing in again at {identity_provider.name} did not work or was cancelled."
    return _result(request, pending, FreshSignIn(False, identity_provider.name, problem=problem))


def take_fresh_sign_in(request, key: str) -> FreshSignIn | None:
    """The answer to the fresh sign-in started with `key`, once (it leaves the session)."""
    results = request.session.get(RESULTS_KEY) or {}
    found = results.pop(key, None)
    if found is None:
        return None
    request.session[RESULTS_KEY] = results
    at = dt.datetime.fromisoformat(found["at"]) if found["at"] else None
    return FreshSignIn(found["ok"], found["identity_provider"], found["uid"], at, found["problem"])
