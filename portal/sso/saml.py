"""SAML 2.0 identity providers: reading the metadata document an admin gives, once, when they save
(entity ID, single sign-on URL, signing certificate), and allauth's `saml` app built from them."""

from __future__ import annotations

import requests
from allauth.core.internal import httpkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.saml.utils import build_auth, get_app_or_404, prepare_django_request
from allauth.socialaccount.sessions import LoginSession
from cryptography import x509
from django.http import Http404, HttpRequest
from onelogin.saml2.errors import OneLogin_Saml2_Error
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from .discovery import TIMEOUT_SECONDS, IssuerProblem, check_address
from .selectors import domains_of

SAML_PROVIDER = "saml"
EMAIL = "urn:oid:0.9.2342.19200300.100.1.3"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"


def certificate_body(pem: str) -> str:
    """The certificate as SAML metadata carries it (base64 without the PEM lines), or IssuerProblem."""
    body = "".join(line.strip() for line in pem.strip().splitlines() if "-----" not in line)
    framed = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    try:
        x509.load_pem_x509_certificate(framed.encode())
    except ValueError as exc:
        raise IssuerProblem("This is not an X.509 certificate (PEM or base64).") from exc
    return body


def read_metadata(url: str) -> dict:
    """entity_id, sso_url and certificate from an identity provider's metadata document."""
    check_address(url)
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as exc:
        raise IssuerProblem(
            f"The metadata document at {url} could not be fetched ({type(exc).__name__})."
        ) from exc
    if response.status_code != 200:
        raise IssuerProblem(f"The metadata document at {url} answered HTTP {response.status_code}.")
    try:
        idp = OneLogin_Saml2_IdPMetadataParser.parse(response.content).get("idp", {})
    except Exception as exc:  # the parser raises whatever lxml or its own checks raise
        raise IssuerProblem(f"The metadata document at {url} is not SAML metadata.") from exc
    certificate = idp.get("x509cert") or (idp.get("x509certMulti", {}).get("signing") or [""])[0]
    sso_url = idp.get("singleSignOnService", {}).get("url", "")
    if not (idp.get("entityId") and sso_url and certificate):
        raise IssuerProblem(
            f"The metadata document at {url} names no identity provider with a sign-on URL and a signing certificate."
        )
    return {"entity_id": idp["entityId"], "sso_url": sso_url, "certificate": certificate_body(certificate)}


def saml_social_app(identity_provider) -> SocialApp:
    return SocialApp(
        provider=SAML_PROVIDER,
        provider_id=identity_provider.provider_id,
        client_id=identity_provider.provider_id,  # allauth's SAML keys apps by the organization slug
        name=identity_provider.name,
        settings={
            "idp": {
                "entity_id": identity_provider.issuer_url,
                "sso_url": identity_provider.sso_url,
                "x509cert": identity_provider.certificate,
            },
            "attribute_mapping": {"uid": EMAIL, "email": EMAIL, "name": DISPLAY_NAME},
            "verified_email": domains_of(identity_provider),
            "email_authentication": True,
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                "allow_single_label_domains": True,
            },
        },
    )


def authn_instant(request, slug: str) -> int | None:
    """The AuthnInstant (seconds since the epoch) of the SAML response allauth's ACS step kept for
    its finishing step, read from the signed assertion once the response validates (allauth then
    checks it again and goes on): None when there is none, or it does not validate."""
    kept = LoginSession(request, "saml_acs_session", "saml-acs-session").store.get("request")
    if not kept:
        return None
    acs_request = httpkit.deserialize_request(kept, HttpRequest())
    try:
        provider = get_app_or_404(request, slug).get_provider(request)
        auth = build_auth(acs_request, provider)
        response = OneLogin_Saml2_Response(auth.get_settings(), acs_request.POST.get("SAMLResponse", ""))
        if not response.is_valid(prepare_django_request(acs_request)):
            return None
        statements = response._query_assertion("/saml:AuthnStatement")  # the signed assertion's only
        if len(statements) != 1 or not statements[0].get("AuthnInstant"):
            return None
        return OneLogin_Saml2_Utils.parse_SAML_to_time(statements[0].get("AuthnInstant"))
    except (Http404, OneLogin_Saml2_Error, ValueError, KeyError, TypeError):
        return None
