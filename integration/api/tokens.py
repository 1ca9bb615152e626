"""Making, revoking and checking organization API tokens (the services of integration/api).

The secret is `mrd_<prefix>_<random>`: 256 random bits, shown once. The stored SHA-256 finds
the token in one indexed read; the prefix (in clear) names it in the list and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.db import transaction
from django.db.models import F

from portal.core.audit import audited
from portal.core.exceptions import ServiceError

from .models import ApiRequest, ApiToken, Refusal

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


def check_secret(secret: str, *, now: dt.datetime) -> tuple[ApiToken | None, str]:
    """(the token with this secret or None, why it is refused or ""): a live token comes back
    with ""; an expired or revoked one comes back too (its request is recorded against it) with
    its refusal; an unknown one is (None, "unknown")."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None, Refusal.UNKNOWN
    token = ApiToken.objects.select_related("organization").filter(secret_hash=hash_secret(secret)).first()
    if token is None:
        return None, Refusal.UNKNOWN
    if token.revoked_at is not None:
        return token, Refusal.REVOKED
    if token.expires_at <= now:
        return token, Refusal.EXPIRED
    return token, ""


# A token typed where it does not belong (a query string) is not kept in the log either.
_SECRET_LIKE = re.compile(rf"{TOKEN_START}[A-Za-z0-9_\-%]+")


def _without_secrets(value: str) -> str:
    return _SECRET_LIKE.sub(f"{TOKEN_START}[removed]", value)


def record_request(
    *, token: ApiToken | None, request, now: dt.datetime, status_code: int, refusal: str = ""
) -> ApiRequest:
    """The request in the API's audit trail, once its answer is known; a live token's last use.
    Never the secret: the row links a known token, and anything looking like a secret in the
    path or query string is removed."""
    row = ApiRequest.objects.create(
        token=token,
        organization_id=token.organization_id if token else None,
        at=now,
        method=request.method[:10],
        path=_without_secrets(request.path)[:500],
        query=_without_secrets(request.META.get("QUERY_STRING", ""))[:1000],
        refused=refusal == Refusal.RATE_LIMITED,
        refusal=refusal,
        status_code=status_code,
    )
    if token is not None and refusal in ("", Refusal.RATE_LIMITED):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return row


def organization_tokens(*, organization) -> list[ApiToken]:
    """The organization's tokens for its admins' list, newest first, revoked ones kept."""
    return list(
        ApiToken.objects.filter(organization=organization)
        .select_related("created_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )
