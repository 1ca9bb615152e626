"""The subscription form: an endpoint the portal may send to and at least one event."""

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from portal.core.events import EVENTS
from portal.core.forms import PortalForm

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def endpoint_problem(url: str) -> str:
    """What is wrong with `url` as a webhook endpoint, as far as can be told without a network
    (the worker checks again, resolving the name, before each send)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allow_local = getattr(settings, "WEBHOOK_ALLOW_LOCAL", False)
    if parts.username or parts.password:
        return "Leave credentials out of the address; the signature proves who sends."
    if allow_local and parts.scheme == "http" and host in LOCAL_HOSTS:
        return ""
    if parts.scheme != "https":
        return "The endpoint must use https://."
    if host in LOCAL_HOSTS or host.endswith((".localhost", ".local", ".internal")):
        return "The endpoint must be reachable on the internet, not on this machine's network."
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return ""
    if not address.is_global:
        return "The endpoint must be a public address, not a private or local one."
    return ""


class SubscriptionForm(PortalForm):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="An https:// address of your own systems; events are POSTed there as signed JSON.",
    )
    description = forms.CharField(max_length=200, required=False, help_text="What receives it (optional).")
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple, label="Events to send"
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = endpoint_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
