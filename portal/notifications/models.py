"""Notifications: what we told whom, in the app and by email.

A `Notification` is both the in-app item (the bell, the list) and the record of
its email: the rendered subject, text and HTML are stored when it is created,
so the row shows exactly what was sent and the worker needs no domain objects.

`(recipient, dedupe_key)` is unique: the row is the claim. However many workers
or beat processes decide to send "the update due tomorrow" for the same thing in
the same period, one INSERT wins and one email goes out.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .subjects import Subject, type_of

# The kind of the digest email itself (a notification row of its own, never shown in the app).
DIGEST_KIND = "digest.daily"


# How the list labels a notification, by the first part of its kind.
CATEGORY_LABELS = {
    "flag": ("Red flag", "red"),
    "reminder": ("Reminder", "amber"),
    "escalation": ("Escalation", "red"),
    "update": ("Status update", "blue"),
    "question": ("Question", "blue"),
    "milestone": ("Milestone", "blue"),
    "meeting": ("Meeting", "blue"),
    "minutes": ("Minutes", "blue"),
    "action": ("Action item", "blue"),
    "issue": ("Service issue", "blue"),
    "kudos": ("Recognition", "green"),
    "team": ("Team", "blue"),
}


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DIGEST = "digest", "Waiting for the daily digest"
    DIGESTED = "digested", "Sent in a daily digest"
    SKIPPED = "skipped", "Not emailed"


class NotificationQuerySet(models.QuerySet):
    def about(self, obj: models.Model) -> NotificationQuerySet:
        """The notifications whose subject is `obj` (a project, say)."""
        return self.filter(subject_type=type_of(obj), subject_id=obj.pk)


class Notification(models.Model):
    """One thing one person was told. Never deleted: it is the delivery log too."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    # What it is about (see subjects.py): a row of an app above this one, by type and id, with the
    # code and name shown next to it as they were when it was sent. Empty for general news.
    subject_type = models.CharField(max_length=64, blank=True, help_text='e.g. "projects.project".')
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_code = models.CharField(max_length=32, blank=True)
    subject_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=64, help_text='What happened, e.g. "update.published", "flag.raised".')
    dedupe_key = models.CharField(
        max_length=255,
        help_text='"<rule>:<object>:<period>": one notification per recipient per key, however often it is sent.',
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(
        max_length=500, blank=True, help_text="Where the notification leads (a path on this site)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    # The email, rendered when the notification was created.
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_to = models.CharField(max_length=254, blank=True, help_text="The address the email went to.")
    email_subject = models.CharField(max_length=300, blank=True)
    email_text = models.TextField(blank=True)
    email_html = models.TextField(blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_attempt_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the email should next be tried; the safety net queues pending emails past this.",
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.TextField(blank=True)
    digest = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="digested_items",
        help_text="The daily digest that carried this notification's email.",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_key"),
            models.CheckConstraint(condition=~models.Q(dedupe_key=""), name="notification_key_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(email_status=EmailStatus.SENT) | models.Q(email_sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]
        indexes = [
            # The bell: one index-only count per page view.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
            # The delivery safety nets scan only what is in flight.
            models.Index(
                fields=["email_status", "email_next_attempt_at"],
                condition=models.Q(email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING]),
                name="notification_email_due_idx",
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(email_status=EmailStatus.DIGEST),
                name="notification_digest_wait_idx",
            ),
        ]
        triggers = [pgtrigger.Protect(name="notification_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> Subject | None:
        if not self.subject_type:
            return None
        return Subject(self.subject_type, self.subject_id, self.subject_code, self.subject_name)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def category(self) -> str:
        """The first part of the kind ("flag" for "flag.raised"), for grouping and labels."""
        return self.kind.split(".", 1)[0]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, (self.category.replace("_", " ").capitalize(), ""))[0]

    @property
    def category_tone(self) -> str:
        return CATEGORY_LABELS.get(self.category, ("", "blue"))[1]

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", kwargs={"notification_id": self.pk})


class NotificationAttachment(models.Model):
    """A file the notification's email carries (a calendar entry, the minutes PDF), stored with it
    like the rendered email, so the worker that sends it needs no domain objects."""

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(
        max_length=100, help_text='With its parameters, e.g. "text/calendar; method=REQUEST".'
    )
    content = models.BinaryField()

    class Meta:
        ordering = ["pk"]
        triggers = [pgtrigger.Protect(name="notificationattachment_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.filename


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Each notification as it happens"
    DAILY_DIGEST = "daily_digest", "One daily digest"
    NONE = "none", "Never (the bell in the portal only)"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class NotificationPreference(models.Model):
    """How a person wants to hear about things. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notification_preference"
    )
    email_mode = models.CharField(max_length=12, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    digest_hour = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text="Local hour (in the person's time zone) the daily digest goes out.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="preference_digest_hour_valid"
            ),
        ]
        triggers = [pgtrigger.Protect(name="notificationpreference_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_mode_display()}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:preferences")
