"""Making, revoking and checking organization API tokens (the services of integration/api).

The secret is `mrd_<prefix>_<random>`: 256 random bits, shown once. The stored SHA-256 finds
the token in one indexed read; the prefix (in clear) names it in the list and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import F

from portal.core.audit import audited
from portal.core.exceptions import ServiceError

from .models import ApiRequest, ApiToken

TOKEN_START = "mrd_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, actor, name: str, expires_at: dt.datetime, now: dt.datetime) -> tuple[ApiToken, str]:
    """A new read-only token of the actor's organization, and its secret (never stored)."""
    if not actor.is_org_admin:
        raise ServiceError("Only an organization admin makes API tokens.")
    if expires_at <= now:
        raise ServiceError("A token must expire in the future.")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic(), audited("API token created"):
        token = ApiToken.objects.create(
            organization_id=actor.organization_id,
            name=name,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            created_by=actor,
            created_at=now,
            expires_at=expires_at,
        )
    return token, secret


def revoke_token(*, actor, token: ApiToken, now: dt.datetime) -> ApiToken:
    """Revoke at once; the row (and every request made with it) is kept."""
    if not actor.is_org_admin or token.organization_id != actor.organization_id:
        raise ServiceError("Only an admin of the token's organization revokes it.")
    with transaction.atomic(), audited("API token revoked"):
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
    if not updated:
        raise ServiceError("This token was already revoked.")
    token.refresh_from_db()
    return token


def token_for_secret(secret: str, *, now: dt.datetime) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired), or None."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("organization").filter(secret_hash=hash_secret(secret)).first()
    if token is None or not token.is_active_at(now):
        return None
    return token


def record_request(*, token: ApiToken, request, now: dt.datetime, refused: bool = False) -> None:
    """The request in the API's audit trail, and the token's last use (two writes, constant)."""
    ApiRequest.objects.create(
        token=token,
        organization_id=token.organization_id,
        at=now,
        method=request.method[:10],
        path=request.path[:500],
        query=request.META.get("QUERY_STRING", "")[:1000],
        refused=refused,
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def organization_tokens(*, organization) -> list[ApiToken]:
    """The organization's tokens for its admins' list, newest first, revoked ones kept."""
    return list(
        ApiToken.objects.filter(organization=organization)
        .select_related("created_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )
