"""Checking an OpenID Connect issuer before its configuration is saved: its discovery document
must answer, be one, and name the same issuer. The portal fetches addresses an org admin typed,
so outside development they must be https and resolve to public addresses (no requests into our
own network)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings

REQUIRED_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
TIMEOUT_SECONDS = 10


class IssuerProblem(Exception):
    """Why the issuer cannot be used, in a sentence for the admin."""


def discovery_url(issuer_url: str) -> str:
    if "/.well-known/" in issuer_url:
        return issuer_url
    return issuer_url.rstrip("/") + "/.well-known/openid-configuration"


def check_address(url: str) -> None:
    parts = urlsplit(url)
    if settings.SSO_ALLOW_INSECURE_ISSUERS:
        return
    if parts.scheme != "https":
        raise IssuerProblem("The issuer must be an https:// address.")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, UnicodeError) as exc:
        raise IssuerProblem(f"{parts.hostname} cannot be found.") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise IssuerProblem(f"{parts.hostname} is not a public address.")


def check_issuer(issuer_url: str) -> dict:
    """The issuer's discovery document, or IssuerProblem saying what is wrong with it."""
    url = discovery_url(issuer_url)
    check_address(url)
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        raise IssuerProblem(
            f"The discovery document at {url} could not be fetched ({type(exc).__name__})."
        ) from exc
    if response.status_code != 200:
        raise IssuerProblem(f"The discovery document at {url} answered HTTP {response.status_code}.")
    try:
        document = response.json()
    except ValueError as exc:
        raise IssuerProblem(f"The discovery document at {url} is not JSON.") from exc
    if not isinstance(document, dict) or any(not isinstance(document.get(k), str) for k in REQUIRED_KEYS):
        raise IssuerProblem(
            f"The discovery document at {url} is not an OpenID Provider's: it lacks {', '.join(REQUIRED_KEYS)}."
        )
    if document["issuer"].rstrip("/") != issuer_url.split("/.well-known/")[0].rstrip("/"):
        raise IssuerProblem(f"The discovery document names another issuer: {document['issuer'][:200]}.")
    return document
