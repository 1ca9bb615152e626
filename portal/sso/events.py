"""Entries for the organization's admins about sign-ins through (or around) their identity provider,
and the one message a person sees when single sign-on refuses them."""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.shortcuts import redirect

from portal.core import clock

from .models import SignInEvent

logger = logging.getLogger(__name__)
DETAIL_LIMIT = 1000


def record(*, organization, kind: str, email: str = "", detail: str = "") -> SignInEvent:
    """Write the entry in its own transaction: a refusal must leave its trace even when the request
    that refused goes on to roll back."""
    with transaction.atomic():
        event = SignInEvent.objects.create(
            organization=organization,
            at=clock.now(),
            kind=kind,
            email=email[:254],
            detail=detail[:DETAIL_LIMIT],
        )
    logger.info("sso %s for %s (%s): %s", kind, organization.slug, email, detail[:200])
    return event


def refuse(request, message: str) -> ImmediateHttpResponse:
    """Back to the sign-in page with `message`, signed out: raise what this returns."""
    if request.user.is_authenticated:
        logout(request)
    messages.error(request, message)
    return ImmediateHttpResponse(redirect("account_login"))
