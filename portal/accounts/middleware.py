from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from portal.core.timezones import zone_or_utc

from .two_factor import close_setup_window, needs_setup, start_guided_setup


class UserTimeZoneMiddleware:
    """Show every date and time in the signed-in person's own time zone, for this request only:
    the zone is dropped when the response is made, so nothing else the thread runs next (another
    request's early middleware, a test) inherits it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(zone_or_utc(user.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Paths a person must still reach to set up their authenticator (or leave).
MFA_SETUP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/invite/")


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
        ):
            if needs_setup(user):
                start_guided_setup(request)
                return redirect(f"{reverse('mfa_activate_totp')}?required=1")
            # Set up and gone on to the product: the setup window is over.
            if close_setup_window(request):
                messages.success(
                    request,
                    "You're all set: two-factor authentication is on. From now on, signing in asks "
                    "for the code from your app after your password.",
                )
        return self.get_response(request)
