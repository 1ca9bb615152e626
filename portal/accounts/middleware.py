from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from portal.core.timezones import zone_or_utc


class UserTimeZoneMiddleware:
    """Show every date and time in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(zone_or_utc(user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


# Paths a person must still reach to set up their authenticator (or leave).
MFA_SETUP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/invite/")


def mfa_required(user) -> bool:
    """Staff see every tenant, so they always need a second factor; others when their organization says so."""
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.organization_id and user.organization.require_mfa)


class RequireOrganizationMFAMiddleware:
    """If the person must use two-factor authentication (staff, or their organization
    requires it) and they have not set up an authenticator app, send them to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_SETUP_EXEMPT_PREFIXES)
            and mfa_required(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?required=1")
        return self.get_response(request)
