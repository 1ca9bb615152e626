"""Signing: verify the signer, record the signature, and check it whenever the record is shown.

Components (21 CFR 11.200, decided in docs/signatures.md): the signer is the signed-in person,
named on screen. The first signing of a series asks for their password and, when they use an
authenticator app, a code from it; later signings in the same session, each within SERIES_GAP of
the one before, ask for the password only. Signing out, a pause of SERIES_GAP or a password change
starts a new series.

Controls (11.300): every attempt is recorded; three wrong passwords or codes within
LOCK_WINDOW lock signing for that person for LOCK_DURATION, and their organization's admins are told.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import formats, timezone

from portal.accounts.models import OrgRole, User
from portal.core import clock
from portal.notifications.services import notify

from .models import FAILURES, Components, Outcome, Signature, SigningAttempt, SigningLock
from .registry import SignedAction, canonical_json, sha256, signed_action

LOCK_AFTER = 3
LOCK_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)
SESSION_KEY = "portal_signing_series"
# Signings closer together than this, in one session, form a series: after the first, the password alone.
SERIES_GAP = dt.timedelta(minutes=30)


class SigningRefused(Exception):
    """Nothing was signed. `errors`: {form field or None: message for the person}."""

    def __init__(self, errors: dict[str | None, str], *, record_changed: bool = False):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.record_changed = record_changed


def authenticator(user: User) -> Authenticator | None:
    """The person's authenticator app, read once per user object (a page may offer several
    signing dialogs)."""
    if not hasattr(user, "_signing_authenticator"):
        user._signing_authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
    return user._signing_authenticator


def _session_marker(user: User) -> str:
    # The auth hash changes with the password: a new password starts a new series of signings.
    return f"{user.pk}:{user.get_session_auth_hash()}"


def _in_series(user: User, session) -> bool:
    """A signing in this session less than SERIES_GAP after the last one, by the same person with
    the same password: a series of signings in one continuous period of access."""
    series = session.get(SESSION_KEY) or {}
    if series.get("who") != _session_marker(user):
        return False
    last = dt.datetime.fromisoformat(series["at"]) if series.get("at") else None
    return last is not None and clock.now() - last < SERIES_GAP


def needs_code(user: User, session) -> bool:
    """Whether this signing asks for an authenticator code as well as the password."""
    return not _in_series(user, session) and authenticator(user) is not None


def locked_until(user: User, now: dt.datetime | None = None) -> dt.datetime | None:
    now = now or clock.now()
    return SigningLock.objects.filter(user=user, until__gt=now).aggregate(until=Max("until"))["until"]


def _attempt(user, action: SignedAction, record, meaning: str, outcome: str, signature=None) -> None:
    record_attempt(
        user=user,
        action=action.key,
        record_type_id=ContentType.objects.get_for_model(record).pk,
        record_id=record.pk,
        meaning=meaning,
        outcome=outcome,
        signature=signature,
    )


def record_attempt(
    *, user, action: str, record_type_id: int, record_id: int, meaning: str, outcome: str, signature=None
) -> SigningAttempt:
    """One signing attempt in the record of attempts (what the lock after repeated failures and
    the audit export read), by the action's key and the record's type and id."""
    return SigningAttempt.objects.create(
        user=user,
        at=clock.now(),
        action=action,
        record_type_id=record_type_id,
        record_id=record_id,
        meaning=meaning,
        outcome=outcome,
        signature=signature,
    )


def _lock_if_repeated(user: User, now: dt.datetime) -> SigningLock | None:
    """A lock when this failure is the LOCK_AFTER-th in a row within LOCK_WINDOW."""
    since = now - LOCK_WINDOW
    last_success = SigningAttempt.objects.filter(user=user, outcome=Outcome.SIGNED).aggregate(at=Max("at"))[
        "at"
    ]
    last_lock = SigningLock.objects.filter(user=user).aggregate(until=Max("until"))["until"]
    since = max(moment for moment in (since, last_success, last_lock) if moment is not None)
    failures = SigningAttempt.objects.filter(user=user, outcome__in=FAILURES, at__gt=since).count()
    if failures < LOCK_AFTER:
        return None
    return SigningLock.objects.create(user=user, locked_at=now, until=now + LOCK_DURATION)


def _tell_admins(user: User, lock: SigningLock) -> None:
    admins = User.objects.filter(organization_id=user.organization_id, org_role=OrgRole.ADMIN, is_active=True)
    at = formats.date_format(lock.locked_at.astimezone(dt.UTC), "j M Y, H:i")
    until = formats.date_format(lock.until.astimezone(dt.UTC), "H:i")
    notify(
        recipients=admins,
        kind="signatures.locked",
        dedupe_key=f"signing-lock:{lock.pk}",
        title=f"Signing locked for {user.full_name}",
        body=(
            f"{user.full_name} ({user.email}) entered a wrong password or authenticator code "
            f"{LOCK_AFTER} times in a signing dialog, the last at {at} UTC. Signing is locked for them "
            f"until {until} UTC. If it was not them, reset their password."
        ),
        url=reverse("organizations:members"),
    )


def _verify(*, user: User, session, action, record, meaning: str, password: str, code: str) -> str:
    """The components entered, when right; else the attempt is recorded and SigningRefused raised."""
    now = clock.now()
    lock = None
    with transaction.atomic():
        # One signing dialog of a person at a time: two wrong passwords sent together count as two.
        User.objects.select_for_update().filter(pk=user.pk).exists()
        until = locked_until(user, now)
        if until is not None:
            outcome = Outcome.LOCKED
        elif not user.check_password(password):
            outcome = Outcome.WRONG_PASSWORD
        elif needs_code(user, session) and not TOTP(authenticator(user)).validate_code(code.strip()):
            outcome = Outcome.WRONG_CODE
        else:
            return Components.PASSWORD_AND_CODE if needs_code(user, session) else Components.PASSWORD
        _attempt(user, action, record, meaning, outcome)
        if outcome != Outcome.LOCKED:
            lock = _lock_if_repeated(user, now)
    if lock is not None:
        _tell_admins(user, lock)
        until = lock.until
    if until is not None:
        local = formats.time_format(timezone.localtime(until), "H:i")
        raise SigningRefused(
            {
                None: f"Signing is locked until {local} after {LOCK_AFTER} wrong passwords or codes. Your organization's admins have been told."
            }
        )
    if outcome == Outcome.WRONG_PASSWORD:
        raise SigningRefused({"password": "That is not your password. Nothing was signed."})
    raise SigningRefused({"code": "That code is not right (or was already used). Nothing was signed."})


def sign(
    *,
    user: User,
    session,
    action: str,
    record: models.Model,
    meaning: str,
    password: str,
    code: str = "",
    comment: str = "",
    shown: str | None = None,
    perform: Callable[[], object] | None = None,
) -> Signature:
    """Sign `record` for `action` as `user`, with `perform` (the signed change) in the same
    transaction as the signature: both happen or neither. `shown`: the content hash the page
    showed; a record changed since is refused (the person must read it again). The signature
    covers the record as it is after `perform`: an action whose content takes what the signer
    wrote (a decision's text) signs that too."""
    signed = signed_action(action)
    if meaning not in signed.meanings:
        raise SigningRefused({"meaning": "Choose what your signature means."})
    if shown is not None and shown != signed.digest(record):
        raise SigningRefused(
            {None: "The record changed while you were reading it. Read it again, then sign."},
            record_changed=True,
        )
    components = _verify(
        user=user,
        session=session,
        action=signed,
        record=record,
        meaning=meaning,
        password=password,
        code=code,
    )
    signature = record_signature(
        user=user,
        signed=signed,
        record=record,
        meaning=meaning,
        comment=comment,
        components=components,
        perform=perform,
    )
    session[SESSION_KEY] = {"who": _session_marker(user), "at": signature.signed_at.isoformat()}
    return signature


def record_signature(
    *,
    user: User,
    signed: SignedAction,
    record,
    meaning: str,
    comment: str,
    components: str,
    perform,
    after=None,
) -> Signature:
    """`perform` (the signed change), the signature of the record as it is then, and its attempt, in
    one transaction; `after(signature)` runs in it too (an identity provider's intent is used up)."""
    with transaction.atomic():
        if perform is not None:
            perform()
            record = type(record)._default_manager.get(pk=record.pk)
        canonical = canonical_json(signed.content(record))
        signature = Signature.objects.create(
            action=signed.key,
            record_type=ContentType.objects.get_for_model(record),
            record_id=record.pk,
            signer=user,
            printed_name=user.full_name or user.email,
            signer_email=user.email,
            signed_at=clock.now(),
            meaning=meaning,
            comment=comment.strip(),
            content_sha256=sha256(canonical),
            content=json.loads(canonical),
            components=components,
        )
        _attempt(user, signed, record, meaning, Outcome.SIGNED, signature=signature)
        if after is not None:
            after(signature)
    return signature


@dataclass(frozen=True)
class ShownSignature:
    """A signature as a page shows it: `intact` is False when the record no longer matches what
    was signed (it changed after signing)."""

    signature: Signature
    intact: bool

    def manifestation(self, tz: dt.tzinfo | None = None) -> str:
        return manifestation(self.signature, tz)


def manifestation(signature: Signature, tz: dt.tzinfo | None = None) -> str:
    """ "Signed by <name>, <date time zone>, meaning <meaning>" (11.50), in `tz` (default: the
    active time zone)."""
    local = timezone.localtime(signature.signed_at, tz)
    when = f"{formats.date_format(local, 'j M Y, H:i')} {local.tzname()}"
    return f"Signed by {signature.printed_name}, {when}, meaning {signature.get_meaning_display()}"


def signatures_of(record: models.Model) -> list[ShownSignature]:
    """The record's signatures, oldest first, each checked against the record as it is now."""
    return signatures_for([record]).get(_key(record), [])


def _key(record: models.Model) -> tuple[int, int]:
    return ContentType.objects.get_for_model(record).pk, record.pk


def signatures_for(records) -> dict[tuple[int, int], list[ShownSignature]]:
    """{(content type id, pk): its signatures, checked}, for records of any models, in one query.
    Pages with many signed records (an issue's plans and timeline) look theirs up by `_key`;
    `attach_signatures` does that for them."""
    by_key = {_key(record): record for record in records}
    if not by_key:
        return {}
    wanted = Q()
    for type_id in {type_id for type_id, _ in by_key}:
        wanted |= Q(record_type_id=type_id, record_id__in=[pk for t, pk in by_key if t == type_id])
    found: dict[tuple[int, int], list[ShownSignature]] = {}
    digests: dict[tuple[str, tuple[int, int]], str] = {}
    for signature in Signature.objects.filter(wanted):
        key = (signature.record_type_id, signature.record_id)
        if (signature.action, key) not in digests:
            digests[signature.action, key] = signed_action(signature.action).digest(by_key[key])
        intact = digests[signature.action, key] == signature.content_sha256
        found.setdefault(key, []).append(ShownSignature(signature, intact))
    return found


def attach_signatures(records) -> None:
    """Give each record a `signed` list (its checked signatures, maybe empty), in one query."""
    records = list(records)
    found = signatures_for(records)
    for record in records:
        record.signed = found.get(_key(record), [])
