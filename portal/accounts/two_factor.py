"""Setting up two-factor authentication when the organization (or staff duty) requires it.

The person has just proven their password (they signed in, or set it while accepting their
invitation); the session remembers that moment as the *setup window*. Inside it allauth does not
ask for the password again ("Confirm access") to add the first authenticator and show its
recovery codes, and the pages walk them through why, how, recovery codes and on to where
signing in lands them. The window closes when they leave the setup pages with an authenticator
in place, or after SETUP_WINDOW_SECONDS.
"""

import time

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.models import Authenticator

SETUP_SESSION_KEY = "portal_mfa_setup_started_at"
GUIDED_SESSION_KEY = "portal_mfa_setup_guided"
SETUP_WINDOW_SECONDS = 30 * 60


def mfa_required(user) -> bool:
    """Staff see every tenant, so they always need a second factor; others when their organization says so."""
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.organization_id and user.organization.require_mfa)


def has_authenticator_app(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_setup(user) -> bool:
    """Signed in, required to use a second factor, and none set up yet."""
    return bool(user.is_authenticated and mfa_required(user) and not has_authenticator_app(user))


def requirement_reason(user) -> str:
    """Why this person must use two-factor authentication, in a sentence; empty when they need not."""
    if not user.is_authenticated:
        return ""
    if user.organization_id and user.organization.require_mfa:
        return (
            f"Your organization, {user.organization.name}, requires two-factor authentication for everyone."
        )
    if user.is_staff or user.is_superuser:
        return (
            "Portal staff accounts can see every organization, so they always use two-factor authentication."
        )
    return ""


def open_setup_window(request) -> None:
    """Call right after the person proved their password, when they still have to set up a second factor."""
    if needs_setup(request.user):
        request.session[SETUP_SESSION_KEY] = time.time()
        request.session[GUIDED_SESSION_KEY] = True


def start_guided_setup(request) -> None:
    """The person is sent to set up a second factor they owe: show them the steps through to the
    end (recovery codes, then on to their work), whether or not allauth asks for their password."""
    request.session[GUIDED_SESSION_KEY] = True


def is_guided(request) -> bool:
    return bool(request.session.get(GUIDED_SESSION_KEY)) or needs_setup(request.user)


def in_setup_window(request) -> bool:
    started_at = request.session.get(SETUP_SESSION_KEY)
    return isinstance(started_at, (int, float)) and time.time() - started_at < SETUP_WINDOW_SECONDS


def close_setup_window(request) -> bool:
    """Whether the person had been walked through a setup (now done)."""
    request.session.pop(SETUP_SESSION_KEY, None)
    return bool(request.session.pop(GUIDED_SESSION_KEY, None))


def landing_url(request) -> str:
    """Where signing in lands this person: the dashboard for executives, their projects otherwise."""
    return get_account_adapter(request).get_login_redirect_url(request)
