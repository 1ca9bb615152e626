"""Where the portal may send a webhook, as far as can be told without a network: asked by the
form (a field error) and by the services (create and edit refuse the same addresses)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

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
