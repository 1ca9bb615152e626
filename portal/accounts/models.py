import secrets

import pghistory
import pgtrigger
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from portal.core.timezones import time_zone_choices


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


def _calendar_token() -> str:
    return secrets.token_urlsafe(24)


class OrgRole(models.TextChoices):
    """What a person may do across their organization (admins manage it, executives read all of it)."""

    ADMIN = "admin", "Admin"
    EXECUTIVE = "executive", "Executive"
    MEMBER = "member", "Member"


# Roles that see every project of their organization, team or not.
ORG_WIDE_ROLES = frozenset({OrgRole.ADMIN, OrgRole.EXECUTIVE})


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    exclude=["password", "last_login", "calendar_token"],
)
class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; each person belongs to one organization."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text="Empty only for portal staff.",
    )
    org_role = models.CharField(
        "organization role", max_length=12, choices=OrgRole.choices, default=OrgRole.MEMBER
    )
    job_title = models.CharField(max_length=120, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=_calendar_token, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log into the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        triggers = [pgtrigger.Protect(name="user_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or self.email[:1].upper()

    @property
    def is_org_admin(self) -> bool:
        return self.organization_id is not None and self.org_role == OrgRole.ADMIN

    @property
    def sees_whole_organization(self) -> bool:
        return self.organization_id is not None and self.org_role in ORG_WIDE_ROLES

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")
