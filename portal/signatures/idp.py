"""Signing through a fresh sign-in at the signer's identity provider (docs/sso.md, "Electronic
signatures: the choice"): the organization's admin chose it, and the signer has an account linked
to that identity provider.

1. The signing dialog is submitted: a `SigningIntent` is written (the action, the record and the
   hash of it as shown, the meaning, the page's form as posted, where it was posted) and the person
   continues to the identity provider with a forced fresh sign-in (portal.sso.fresh).
2. Back at `/signatures/idp/<nonce>/` the answer confirms the intent (same account there, signed
   in after the intent was written) or says why not; the page the person signed on is shown again
   from the intent's form: "Identity confirmed at <name> at HH:MM — Confirm signature".
3. Confirming signs the intent's record once: the intent row is locked, used up with the
   signature in one transaction, and refused when it is another person's, for another record or
   action, used, unconfirmed, older than INTENT_TTL, or when the record or the form changed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import NoReturn

from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from portal.core import clock
from portal.sso.fresh import FreshSignIn, FreshSignInUnavailable, start_fresh_sign_in

from .models import Components, Outcome, Signature, SigningIntent
from .registry import SignedAction
from .services import SigningRefused, locked_until, record_attempt, record_signature

INTENT_TTL = dt.timedelta(minutes=10)
NOT_SIGNED = "Nothing was signed; sign again."
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}


def posted_form(data, *, without: str) -> dict[str, list[str]]:
    """The page's form as posted, to put back after the round trip (never a password: the dialog
    has none on this path; newlines as the browser sends them back)."""
    return {
        key: [value.replace("\r\n", "\n") for value in values]
        for key, values in data.lists()
        if key not in SKIPPED_FIELDS and key != without
    }


def _is_for(intent: SigningIntent, signed: SignedAction, record, prefix: str) -> bool:
    return (
        intent.action == signed.key
        and intent.record_type_id == ContentType.objects.get_for_model(record).pk
        and intent.record_id == record.pk
        and intent.prefix == (prefix or "")
    )


def usable(intent: SigningIntent, now: dt.datetime | None = None) -> str:
    """Why `intent` cannot sign any more ("" when it can)."""
    now = now or clock.now()
    if intent.consumed_at is not None:
        return f"This confirmation at {intent.identity_provider} was already used. {NOT_SIGNED}"
    if intent.confirmed_at is None:
        return f"Your identity was not confirmed at {intent.identity_provider}. {NOT_SIGNED}"
    if now - intent.created_at > INTENT_TTL:
        minutes = int(INTENT_TTL.total_seconds() // 60)
        return (
            f"Your confirmation at {intent.identity_provider} expired after {minutes} minutes. {NOT_SIGNED}"
        )
    return ""


def intent_for(nonce: str, *, user, signed: SignedAction, record, prefix: str) -> SigningIntent | None:
    intent = SigningIntent.objects.filter(nonce=nonce, user=user).first() if nonce else None
    return intent if intent is not None and _is_for(intent, signed, record, prefix) else None


def begin(
    *,
    request,
    identity_provider,
    signed: SignedAction,
    record,
    meaning: str,
    comment: str,
    prefix: str,
    field: str,
) -> NoReturn:
    """Write the intent and answer with the page that continues to the identity provider."""
    user = request.user
    if locked_until(user) is not None:
        raise SigningRefused(
            {None: "Signing is locked for you for a few minutes. Your organization's admins know."}
        )
    now = clock.now()
    intent = SigningIntent.objects.create(
        nonce=secrets.token_urlsafe(32),
        user=user,
        action=signed.key,
        record_type=ContentType.objects.get_for_model(record),
        record_id=record.pk,
        shown_sha256=signed.digest(record),
        meaning=meaning,
        comment=comment,
        prefix=prefix or "",
        data=posted_form(request.POST, without=field),
        return_url=request.get_full_path()[:500],
        identity_provider=identity_provider.name,
        created_at=now,
    )
    try:
        response = start_fresh_sign_in(
            request,
            identity_provider,
            key=intent.nonce,
            back_url=reverse("signatures:idp_return", args=[intent.nonce]),
            not_before=now,
        )
    except FreshSignInUnavailable:
        raise SigningRefused(
            {
                None: f"{identity_provider.name} cannot be reached right now. Nothing was signed; try again later."
            }
        ) from None
    raise ImmediateHttpResponse(response)


def answered(intent: SigningIntent, result: FreshSignIn | None) -> str:
    """Apply the identity provider's answer to `intent`: confirmed, or the reason it is not."""
    if result is None:
        return usable(intent)
    if not result.ok:
        if result.uid:  # an answer, refused (another person, not a fresh sign-in): an attempt
            record_attempt(
                user=intent.user,
                action=intent.action,
                record_type_id=intent.record_type_id,
                record_id=intent.record_id,
                meaning=intent.meaning,
                outcome=Outcome.IDP_REFUSED,
            )
        return f"{result.problem} {NOT_SIGNED}"
    with transaction.atomic():
        locked = SigningIntent.objects.select_for_update().get(pk=intent.pk)
        if locked.confirmed_at is None and locked.consumed_at is None:
            locked.confirmed_at = clock.now()
            locked.authenticated_at = result.authenticated_at
            locked.provider_uid = result.uid
            locked.save(update_fields=["confirmed_at", "authenticated_at", "provider_uid"])
    intent.refresh_from_db()
    return usable(intent)


def sign_with_intent(
    *,
    request,
    nonce: str,
    signed: SignedAction,
    record,
    meaning: str,
    comment: str,
    shown: str | None,
    prefix: str,
    field: str,
    perform,
) -> Signature:
    """Sign with a confirmed intent, once: see the module's docstring for what is refused."""
    user = request.user
    now = clock.now()
    with transaction.atomic():
        intent = SigningIntent.objects.select_for_update().filter(nonce=nonce).first()
        if intent is None or intent.user_id != user.pk:
            raise SigningRefused({None: f"This confirmation is not yours. {NOT_SIGNED}"})
        if not _is_for(intent, signed, record, prefix):
            raise SigningRefused({None: f"This confirmation was for another record. {NOT_SIGNED}"})
        problem = usable(intent, now)
        if problem:
            raise SigningRefused({None: problem})
        if (shown is not None and shown != intent.shown_sha256) or signed.digest(
            record
        ) != intent.shown_sha256:
            raise SigningRefused(
                {None: "The record changed while you were reading it. Read it again, then sign."},
                record_changed=True,
            )
        if meaning != intent.meaning or posted_form(request.POST, without=field) != intent.data:
            raise SigningRefused({None: f"The form changed after you confirmed your identity. {NOT_SIGNED}"})
        if locked_until(user, now) is not None:
            raise SigningRefused({None: "Signing is locked for you for a few minutes. Nothing was signed."})

        def used(signature: Signature) -> None:
            intent.consumed_at = now
            intent.signature = signature
            intent.save(update_fields=["consumed_at", "signature"])

        return record_signature(
            user=user,
            signed=signed,
            record=record,
            meaning=meaning,
            comment=comment,
            components=Components.IDENTITY_PROVIDER,
            perform=perform,
            after=used,
        )
