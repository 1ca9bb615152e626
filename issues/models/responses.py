"""Responses: the CDMO's resolution plans and the sponsor's answers to them."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .log import ServiceIssue


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", "Awaiting the sponsor"
    ACCEPTED = "accepted", "Accepted"
    SENT_BACK = "sent_back", "Sent back"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ResolutionPlan(models.Model):
    """A CDMO proposal to resolve an issue. Several per issue over time; never edited, superseded."""

    issue = models.ForeignKey(ServiceIssue, on_delete=models.PROTECT, related_name="plans")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The person at the CDMO who owns carrying the plan out.",
    )
    steps = models.TextField(help_text="What will be done, by whom, in which order.")
    target_date = models.DateField(help_text="When the issue will be resolved.")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    response_note = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = "resolution plan"
        constraints = [
            models.UniqueConstraint(
                fields=["issue"], condition=Q(status=PlanStatus.PROPOSED), name="plan_one_pending_per_issue"
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.PROPOSED) | Q(responded_at__isnull=False),
                name="plan_answered_has_time",
            ),
        ]
        triggers = [pgtrigger.Protect(name="resolutionplan_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Resolution plan for {self.issue.reference}"

    def get_absolute_url(self) -> str:
        return self.issue.get_absolute_url() + f"#plan-{self.pk}"
