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
