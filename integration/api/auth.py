"""The token door of the API: `Authorization: Bearer mrd_…`.

A missing, unknown, expired or revoked token is 401. A live one is counted against its rate limit
and its request written to the API's audit trail (`ApiRequest`, with the token's last use); a
request over the limit is recorded as refused and answered 429 with Retry-After.
"""

from __future__ import annotations

from ninja.security import HttpBearer

from portal.core import clock

from .ratelimit import retry_after
from .tokens import record_request, token_for_secret


class RateLimited(Exception):
    def __init__(self, seconds: int):
        super().__init__(f"Rate limit reached: retry in {seconds} s.")
        self.seconds = seconds


class OrganizationToken(HttpBearer):
    def authenticate(self, request, token: str):
        now = clock.now()
        found = token_for_secret(token, now=now)
        if found is None:
            return None
        wait = retry_after(found.pk, now_ts=now.timestamp())
        record_request(token=found, request=request, now=now, refused=wait is not None)
        if wait is not None:
            raise RateLimited(wait)
        return found
