from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url

from portal.accounts.models import OrgRole
from portal.accounts.sign_in import password_refusal
from portal.accounts.two_factor import in_setup_window, is_guided, open_setup_window

GUIDED_SETUP_SILENCES = frozenset(
    {"mfa/messages/totp_activated.txt", "mfa/messages/recovery_codes_generated.txt"}
)


@dataclass(frozen=True)
class PortalSite:
    """What allauth calls the current site: the product's name and its public host."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.PORTAL_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by invitation only; emails link back to the public site."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix, email, context):
        context.setdefault("site_url", settings.SITE_URL)
        context.setdefault("PORTAL_NAME", settings.PORTAL_NAME)
        context["current_site"] = portal_site()
        return super().send_mail(template_prefix, email, context)

    def get_login_redirect_url(self, request) -> str:
        """Where a sign-in lands when no `next` was given (allauth follows a safe `next` first):
        executives read across their organization, so the dashboard; everyone else goes to their
        work, the projects list (LOGIN_REDIRECT_URL)."""
        user = request.user
        if user.organization_id and user.org_role == OrgRole.EXECUTIVE:
            return resolve_url("monitoring:dashboard")
        return super().get_login_redirect_url(request)

    def authenticate(self, request, **credentials):
        """A right password is still refused when a rule says so (single sign-on enforced by the
        person's organization, portal/sso): the form shows why, and no session starts. A wrong
        password stays the plain mismatch, counted by the failed-login limit as before."""
        user = super().authenticate(request, **credentials)
        if user is not None:
            refusal = password_refusal(request, user)
            if refusal:
                raise ValidationError(refusal, code="single_sign_on_required")
        return user

    def get_signup_redirect_url(self, request) -> str:
        """The only sign-up is a first sign-in through an organization's identity provider
        (portal/sso): it lands where a sign-in lands."""
        return self.get_login_redirect_url(request)

    def login(self, request, user) -> None:
        """A password sign-in that still owes its organization a second factor opens the setup
        window: the person typed their password seconds ago, so setting up is not interrupted by
        asking for it again."""
        super().login(request, user)
        open_setup_window(request)

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ):
        """In the guided two-factor setup the step bar tells where the person is: allauth's own
        "activated" and "codes generated" notes would only repeat it."""
        if message_template in GUIDED_SETUP_SILENCES and is_guided(request):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        request = context.request
        if app == "allauth.mfa" and request is not None and in_setup_window(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)
