"""Organization API tokens and the record of every request made with one.

A token is shown once, when it is made; only its SHA-256 is stored (the secret is 256 random
bits, so a plain hash is enough: there is nothing to guess a dictionary for). Its short prefix is
kept in clear so the admin can tell tokens apart in the list and in the audit trail. Tokens and
requests are records: never deleted (database triggers refuse it); a revoked token keeps its
row. There is no retention job for the request log: docs/api.md says why.
"""

import datetime as dt

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    READ = "read", "Read only"


@pghistory.track(
    pghistory.InsertEvent(),
    # Who revoked or renamed it is in the trail; each use is an ApiRequest row, not an event.
    pghistory.UpdateEvent(condition=pghistory.AnyChange("name", "revoked_at", "expires_at")),
    exclude=["secret_hash", "last_used_at"],
)
class ApiToken(models.Model):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “Data warehouse nightly load”.")
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="api_token_org_idx")]
        triggers = [pgtrigger.Protect(name="api_token_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment

    def last_day(self, zone) -> dt.date:
        """The last day it works in `zone`: it stops when that day ends (`expires_at` is the
        next day's midnight in the organization's zone, `forms.end_of_day`)."""
        return (self.expires_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()


class Refusal(models.TextChoices):
    """Why the token door refused a request (blank: it let it through)."""

    MISSING = "missing", "No token"
    UNKNOWN = "unknown", "Unknown token"
    EXPIRED = "expired", "Expired token"
    REVOKED = "revoked", "Revoked token"
    RATE_LIMITED = "rate_limited", "Over the rate limit"


class ApiRequest(models.Model):
    """One request to the API's token door, let through or refused: the API's audit trail
    (append-only). Written once the answer is known (`middleware.py`), with its status code. A
    refused token is never stored: a known one (expired, revoked, over its limit) is linked by
    its row, an unknown or missing one leaves token and organization empty."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.PROTECT, related_name="requests", null=True, blank=True
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query = models.CharField(max_length=1000, blank=True)
    refused = models.BooleanField(default=False, help_text="Over the rate limit (answered 429).")
    refusal = models.CharField(max_length=12, choices=Refusal.choices, blank=True)
    # Null only on rows written before status codes were recorded.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "-at"], name="api_request_token_idx")]
        triggers = [
            pgtrigger.Protect(name="api_request_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="api_request_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"
