"""What the two-factor setup pages need to know about the person setting up."""

import re

from django import template
from django.utils.safestring import mark_safe

from portal.accounts.two_factor import is_guided, landing_url, requirement_reason

register = template.Library()

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


@register.simple_tag(takes_context=True)
def two_factor_setup(context) -> dict:
    """`reason`: why they must (empty when they chose to); `guided`: they are being walked
    through a setup they owe, so show the steps, ending where signing in lands them (`landing`)."""
    request = context["request"]
    return {
        "reason": requirement_reason(request.user),
        "guided": is_guided(request),
        "landing": landing_url(request),
    }


@register.filter
def inline_svg(svg: str) -> str:
    """allauth's QR code as markup to place in the page (its own SVG, built from the TOTP URL)."""
    return mark_safe(XML_DECLARATION.sub("", svg))  # noqa: S308 - allauth's generated SVG, no user input


@register.filter
def key_groups(secret: str) -> str:
    """The setup key in groups of four, easier to type into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
