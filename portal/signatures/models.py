"""Electronic signatures (21 CFR Part 11) and every attempt to sign.

A `Signature` binds a person to one record with a meaning: who (and their printed name at that
moment), when (UTC), what it means, and a SHA-256 of a canonical serialisation of exactly what was
shown and signed (kept beside the hash, so an inspector can read it). The database refuses to
update or delete a signature, an attempt or a lock, as it does for the audit trail; a changed
record no longer matches its signature's hash, and its page says so (`services.verified`).
"""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Meaning(models.TextChoices):
    """What a signature means, stated on screen before signing and stored with it."""

    AUTHORED = "authored", "Authored"
    REVIEWED = "reviewed", "Reviewed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CONFIRMED = "confirmed", "Confirmed"
    AGREED = "agreed", "Agreed"


class Components(models.TextChoices):
    """What the signer entered (docs/signatures.md: the first signing of a session asks for all)."""

    PASSWORD = "password", "Password"
    PASSWORD_AND_CODE = "password+code", "Password and authenticator code"
    IDENTITY_PROVIDER = "idp_sign_in", "Fresh sign-in at the identity provider"


class Signature(models.Model):
    action = models.CharField(max_length=80, help_text="The signed action's key in the registry.")
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    printed_name = models.CharField(max_length=200)
    signer_email = models.EmailField()
    signed_at = models.DateTimeField(default=timezone.now)
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    comment = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64)
    content = models.JSONField(help_text="The canonical serialisation that was shown and signed.")
    components = models.CharField(max_length=20, choices=Components.choices)

    class Meta:
        ordering = ["signed_at", "pk"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "signed_at"], name="signature_record_idx")
        ]
        triggers = [
            pgtrigger.Protect(name="signature_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.printed_name}, {self.get_meaning_display()} ({self.action} {self.record_id})"


class Outcome(models.TextChoices):
    SIGNED = "signed", "Signed"
    WRONG_PASSWORD = "wrong_password", "Wrong password"
    WRONG_CODE = "wrong_code", "Wrong authenticator code"
    LOCKED = "locked", "Refused: signing locked"
    IDP_REFUSED = "idp_refused", "Refused: identity provider's answer"


FAILURES = (Outcome.WRONG_PASSWORD, Outcome.WRONG_CODE)


class SigningAttempt(models.Model):
    """Every attempt to sign, successful or not (§11.300(d)): part of the audit trail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=80)
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    signature = models.OneToOneField(
        Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["user", "at"], name="signingattempt_user_idx")]
        triggers = [
            pgtrigger.Protect(
                name="signingattempt_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_outcome_display()} at {self.at:%Y-%m-%d %H:%M}"


class SigningLock(models.Model):
    """Signing refused for `user` until `until`, after repeated wrong credentials."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()

    class Meta:
        ordering = ["-until"]
        indexes = [models.Index(fields=["user", "until"], name="signinglock_user_idx")]
        triggers = [
            pgtrigger.Protect(name="signinglock_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} locked until {self.until:%Y-%m-%d %H:%M}"


class SigningIntent(models.Model):
    """A signing waiting for its signer's fresh sign-in at their organization's identity provider
    (docs/sso.md): what they asked to sign, bound to the record as shown, and the form they filled,
    kept through the round trip. Single use (`consumed_at`), never deleted."""

    nonce = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=80)
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    shown_sha256 = models.CharField(
        max_length=64, help_text="The record's content hash when the signer asked."
    )
    meaning = models.CharField(max_length=20, choices=Meaning.choices)
    comment = models.TextField(blank=True)
    prefix = models.CharField(max_length=40, blank=True, help_text="The signing form's prefix on its page.")
    data = models.JSONField(help_text="The page's form as posted (no passwords), put back on return.")
    return_url = models.CharField(max_length=500)
    identity_provider = models.CharField(max_length=100, help_text="Its name when the signer asked.")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    authenticated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the identity provider says the signer signed in."
    )
    provider_uid = models.CharField(max_length=255, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)
    signature = models.OneToOneField(
        Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="intent"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="signingintent_user_idx")]
        triggers = [pgtrigger.Protect(name="signingintent_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.record_id} ({self.created_at:%Y-%m-%d %H:%M})"
