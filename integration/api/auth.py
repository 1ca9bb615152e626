"""The token door of the API: `Authorization: Bearer mrd_…`.

A missing, unknown, expired or revoked token is 401; a live one over its rate limit is 429 with
Retry-After. Refused requests are limited too, per client address (the address allauth's login
limits read): past API_REFUSED_RATE_LIMIT a window they are 429, and only the first of those is
written to the log, so a flood of bad tokens neither grows the append-only log nor reaches the
token table at every request. Every request that reaches the door, let through or refused, is written to the API's
audit trail (`ApiRequest`) with its status code once the answer is known: the door notes on the
request what it found (`ApiDoor`), and `middleware.ApiRequestLogMiddleware` writes the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from allauth.account.adapter import get_adapter as account_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from ninja.security import HttpBearer

from portal.core import clock

from .models import ApiToken, Refusal
from .ratelimit import refused_retry_after, retry_after
from .tokens import check_secret

ATTRIBUTE = "_api_door"


class RateLimited(Exception):
    def __init__(self, seconds: int):
        super().__init__(f"Rate limit reached: retry in {seconds} s.")
        self.seconds = seconds


@dataclass
class ApiDoor:
    """What the door found for this request: the token (when known) and why it refused it."""

    at: dt.datetime = field(default_factory=clock.now)  # when it came in
    token: ApiToken | None = None
    refusal: str = Refusal.MISSING
    recorded: bool = True  # False: one of a flood of refused requests, left out of the log


class OrganizationToken(HttpBearer):
    def __call__(self, request):
        # Noted before the header is read: a request without one is recorded as refused too.
        door = ApiDoor()
        setattr(request, ATTRIBUTE, door)
        token = super().__call__(request)
        if token is None:  # refused: no token, or not a live one
            wait, first_over = refused_retry_after(client_address(request), now_ts=door.at.timestamp())
            if wait is not None:
                door.refusal, door.recorded = Refusal.RATE_LIMITED, first_over
                raise RateLimited(wait)
        return token

    def authenticate(self, request, token: str):
        door = getattr(request, ATTRIBUTE)
        door.token, door.refusal = check_secret(token, now=door.at)
        if door.refusal:
            return None
        wait = retry_after(door.token.pk, now_ts=door.at.timestamp())
        if wait is not None:
            door.refusal = Refusal.RATE_LIMITED
            raise RateLimited(wait)
        return door.token


def client_address(request) -> str:
    """The client's address as allauth's login limits read it (its trusted proxy settings)."""
    try:
        return account_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return "unknown"
