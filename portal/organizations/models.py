import secrets
from datetime import timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import OrgRole
from portal.core.timezones import time_zone_choices


class OrganizationKind(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor"
    CDMO = "cdmo", "CDMO"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=OrganizationKind.choices)
    country = models.CharField(
        max_length=2, default="US", help_text="ISO 3166 country code of the main site (for public holidays)."
    )
    time_zone = models.CharField(
        max_length=64, choices=time_zone_choices, default="UTC", help_text="Time zone of the main site."
    )
    require_mfa = models.BooleanField(
        "require two-factor authentication",
        default=False,
        help_text="Members must set up an authenticator app before using the portal.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        triggers = [pgtrigger.Protect(name="organization_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sponsor(self) -> bool:
        return self.kind == OrganizationKind.SPONSOR

    @property
    def is_cdmo(self) -> bool:
        return self.kind == OrganizationKind.CDMO

    def get_absolute_url(self) -> str:
        return reverse("organizations:members")


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["token"])
class Invitation(models.Model):
    """An organization admin's invitation for one email address to join."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    org_role = models.CharField(max_length=12, choices=OrgRole.choices, default=OrgRole.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live invitation per address at a time.
            models.UniqueConstraint(
                Lower("email"),
                name="invitation_one_pending_per_email",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
            ),
        ]
        triggers = [pgtrigger.Protect(name="invitation_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_absolute_url(self) -> str:
        return reverse("organizations:invitation_accept", args=[self.token])
