"""An organization's identity provider, the email domains it answers for, and what happened at sign-in.

One identity provider per organization. Its client secret is kept encrypted (portal/sso/secrets.py)
and never rendered again; the pages only say whether one is set. Domains are unique across
organizations among the ones in use, so an email address routes to at most one identity provider;
a removed domain keeps its row (removed_at), as every record of configuration here does.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from portal.accounts.models import OrgRole


class Protocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class SigningMethod(models.TextChoices):
    """How the organization's people sign electronically (docs/sso.md, "Electronic signatures")."""

    PASSWORD = "password", "Signing password"
    FRESH_SIGN_IN = "fresh_sign_in", "Fresh sign-in at the identity provider"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["client_secret_encrypted"])
class IdentityProvider(models.Model):
    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.PROTECT, related_name="identity_provider"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.OIDC)
    name = models.CharField(max_length=100, help_text="Shown on the sign-in button, e.g. “Acme Okta”.")
    issuer_url = models.URLField(
        "issuer URL",
        max_length=500,
        help_text="OpenID Connect: the issuer (its discovery document's). SAML: the identity provider's entity ID.",
    )
    client_id = models.CharField("client ID", max_length=255, blank=True)
    # SAML only: where sign-in requests go and the certificate its responses are signed with,
    # read from its metadata document when the admin saves (never fetched at sign-in).
    sso_url = models.URLField("SAML single sign-on URL", max_length=500, blank=True)
    certificate = models.TextField("SAML signing certificate", blank=True)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    default_role = models.CharField(
        "role of people signing in for the first time",
        max_length=12,
        choices=OrgRole.choices,
        default=OrgRole.MEMBER,
    )
    enabled = models.BooleanField("sign-in through the identity provider", default=False)
    enforce = models.BooleanField("enforce single sign-on", default=False)
    break_glass_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The one admin who may still sign in with a password while single sign-on is enforced.",
    )
    signing_method = models.CharField(
        "how people sign electronically",
        max_length=16,
        choices=SigningMethod.choices,
        default=SigningMethod.PASSWORD,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        triggers = [pgtrigger.Protect(name="identityprovider_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_encrypted)

    @property
    def provider_id(self) -> str:
        """allauth's key for the app: the organization's slug (/accounts/oidc/<slug>/login/)."""
        return self.organization.slug


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class EmailDomain(models.Model):
    identity_provider = models.ForeignKey(IdentityProvider, on_delete=models.PROTECT, related_name="domains")
    domain = models.CharField(max_length=253)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                Lower("domain"), condition=models.Q(removed_at__isnull=True), name="emaildomain_one_owner"
            ),
        ]
        triggers = [pgtrigger.Protect(name="emaildomain_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.domain


class SignInEventKind(models.TextChoices):
    PROVISIONED = "provisioned", "Person added on first sign-in"
    SIGNED_IN = "signed_in", "Signed in"
    OUTSIDE_DOMAINS = "outside_domains", "Email outside the organization's domains"
    OTHER_ORGANIZATION = "other_organization", "Account belongs to another organization"
    PROVIDER_ERROR = "provider_error", "The identity provider's answer was refused"
    CONFIGURATION = "configuration", "Configuration could not be used"
    PASSWORD_REFUSED = "password_refused", "Password sign-in refused (single sign-on enforced)"
    SIGNING_REFUSED = "signing_refused", "Signing: the identity provider's answer was refused"


class SignInEvent(models.Model):
    """An entry for the organization's admins: what happened when someone signed in through, or
    around, their identity provider. Append-only."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="sign_in_events"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=24, choices=SignInEventKind.choices)
    email = models.CharField(max_length=254, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        triggers = [
            pgtrigger.Protect(name="signinevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email}"
