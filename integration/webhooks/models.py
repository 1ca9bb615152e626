"""Webhook subscriptions of an organization and the log of every delivery made to them."""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse

from portal.core.events import EVENTS

# The event a "send a test event" click delivers; no domain event is ever called so.
TEST_EVENT = "ping"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DEACTIVATED = "deactivated", "Deactivated"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(
        condition=pghistory.AnyChange(
            "url", "description", "events", "status", "secret_rotated_at", "previous_secret_until"
        )
    ),
    obj_field=pghistory.ObjForeignKey(related_name="history"),
)
class WebhookSubscription(models.Model):
    """An HTTPS endpoint of the organization's own systems and the events it wants.

    The secret the payloads are signed with is stored encrypted (HMAC needs it in clear when
    signing, so a hash cannot do): `integration/webhooks/signing.py`. Never deleted: a
    subscription no longer wanted is deactivated, and its delivery log stays.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    url = models.URLField("Endpoint URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=40, choices=list(EVENTS.items())))
    secret_encrypted = models.TextField(editable=False)
    secret_hint = models.CharField(max_length=8, editable=False, help_text="Its last four characters.")
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    # The secret before the last rotation, still signing (next to the new one) until
    # `previous_secret_until`: the receiver's time to switch (WEBHOOK_SECRET_OVERLAP_HOURS).
    previous_secret_encrypted = models.TextField(editable=False, blank=True)
    previous_secret_hint = models.CharField(max_length=8, editable=False, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["status", "-created_at", "pk"]
        indexes = [models.Index(fields=["organization", "status"], name="webhook_sub_org_status_idx")]
        triggers = [pgtrigger.Protect(name="webhook_subscription_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", kwargs={"webhooksubscription_id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status == SubscriptionStatus.ACTIVE

    def previous_secret_signs_at(self, moment) -> bool:
        """Whether deliveries sent at `moment` also carry the previous secret's signature."""
        return bool(self.previous_secret_encrypted) and bool(
            self.previous_secret_until and moment < self.previous_secret_until
        )

    def event_labels(self) -> list[str]:
        return [EVENTS.get(name, name) for name in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent (subscription paused)"


class WebhookDelivery(models.Model):
    """One event for one subscription: written in the transaction of the change, sent by the
    worker, and kept as the delivery log (the last response code, how long it took, every attempt).

    `event_id` is the event's, the same in every subscription's delivery of it and in every
    attempt: the receiver's key to recognise a second arrival.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.UUIDField()
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_label = models.CharField(max_length=60, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # While a worker sends it (status sending): another worker may take it over only after this.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # [{"at", "code", "ms", "error"}, ...]: every attempt, for the log.
    attempt_log = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["subscription", "-created_at", "-id"], name="webhook_delivery_log_idx")
        ]
        triggers = [pgtrigger.Protect(name="webhook_delivery_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"
