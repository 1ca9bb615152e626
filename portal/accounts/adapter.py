from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


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
