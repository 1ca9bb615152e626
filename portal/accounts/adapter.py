from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.shortcuts import resolve_url

from portal.accounts.models import OrgRole


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
