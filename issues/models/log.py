"""The log itself: a `ServiceIssue` with its choices, clocks and ladder, and its append-only
timeline of `IssueEvent` rows (one per step of the workflow)."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, Severity  # the vocabulary lives with the working agreement


class Category(models.TextChoices):
    RESPONSIVENESS = "responsiveness", "Responsiveness"
    COMMUNICATION = "communication", "Communication"
    SCHEDULE = "schedule", "Schedule"
    QUALITY = "quality", "Quality"
    DOCUMENTATION = "documentation", "Documentation"
    ADVERTISED_VS_DELIVERED = "advertised_vs_delivered", "Advertised versus delivered"
    ACCESS_TO_EXPERTS = "access_to_experts", "Access to experts or site visits"
    OTHER = "other", "Other"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    PLAN_PROPOSED = "plan_proposed", "Plan proposed"
    PLAN_ACCEPTED = "plan_accepted", "Plan accepted"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# While the issue is in one of these, the CDMO owes a resolution plan.
AWAITING_PLAN = (IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED)


class EscalationLevel(models.IntegerChoices):
    PROJECT_MANAGER = 0, "CDMO project manager"
    CDMO_MANAGEMENT = 1, "CDMO management"
    EXECUTIVES = 2, "Executives on both sides"


# "Escalated to …" in a sentence.
ESCALATION_PHRASES = {0: "the CDMO project manager", 1: "CDMO management", 2: "executives on both sides"}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ServiceIssue(models.Model):
    """A sponsor's concern about the service, with its response clocks.

    Clock fields:
    - `acknowledge_by` / `plan_by`: deadlines in UTC, counted in the CDMO site's
      business time from the agreement in force when the issue was raised.
      `plan_by` is restarted (from the agreed plan time) when the sponsor sends
      a plan back or reopens the issue: the CDMO then owes a new plan.
    - `acknowledged_at`, `plan_proposed_at`: when the current clock was met.
    - `acknowledge_breached_at`, `plan_breached_at`: when the current clock was
      recorded as breached (by the monitoring sweep, or by the late answer itself).
    - `plan_breach_count`: plan deadlines breached over every round, so a
      restarted clock does not hide an earlier breach.
    - `hours_to_acknowledge`, `hours_to_first_plan`: business hours taken, for figures.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="service_issues")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="What happened, when, and who was involved.")
    impact = models.TextField(blank=True, help_text="What this means for the program: dates, cost, quality.")
    desired_outcome = models.TextField(help_text="What would resolve this for you.")
    status = models.CharField(max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN)

    raised_at = models.DateTimeField(default=timezone.now)
    acknowledge_within_hours = models.PositiveSmallIntegerField(
        help_text="Agreed time to acknowledge, in business hours, when the issue was raised."
    )
    plan_within_hours = models.PositiveSmallIntegerField(
        help_text="Agreed time for a resolution plan, in business hours, when the issue was raised."
    )
    acknowledge_by = models.DateTimeField("acknowledge by")
    plan_by = models.DateTimeField("resolution plan by")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_proposed_at = models.DateTimeField("resolution plan proposed at", null=True, blank=True)
    first_plan_proposed_at = models.DateTimeField(null=True, blank=True)
    acknowledge_breached_at = models.DateTimeField(null=True, blank=True)
    plan_breached_at = models.DateTimeField("resolution plan deadline breached at", null=True, blank=True)
    plan_breach_count = models.PositiveSmallIntegerField(
        "resolution plan deadlines breached", default=0, help_text="Across every plan round."
    )
    hours_to_acknowledge = models.FloatField("business hours to acknowledge", null=True, blank=True)
    hours_to_first_plan = models.FloatField("business hours to first plan", null=True, blank=True)

    escalation_level = models.PositiveSmallIntegerField(
        choices=EscalationLevel.choices, default=EscalationLevel.PROJECT_MANAGER
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    resolution_summary = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; guards double clicks."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = "service issue"
        constraints = [
            models.CheckConstraint(condition=Q(escalation_level__lte=2), name="issue_escalation_level_range"),
            models.CheckConstraint(
                condition=Q(acknowledge_by__gte=models.F("raised_at")), name="issue_ack_after_raise"
            ),
            models.CheckConstraint(
                condition=Q(status=IssueStatus.OPEN) | Q(acknowledged_at__isnull=False),
                name="issue_acknowledged_beyond_open",
            ),
            models.CheckConstraint(
                condition=~Q(status=IssueStatus.CLOSED) | Q(closed_at__isnull=False),
                name="issue_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED])
                | Q(resolved_at__isnull=False),
                name="issue_resolved_has_resolved_at",
            ),
        ]
        indexes = [
            # The monitoring sweep only scans what is due (see services.issue_mark_breaches).
            models.Index(
                fields=["acknowledge_by"],
                condition=Q(status=IssueStatus.OPEN, acknowledge_breached_at__isnull=True),
                name="issue_ack_due_idx",
            ),
            models.Index(
                fields=["plan_by"],
                condition=Q(status__in=list(AWAITING_PLAN), plan_breached_at__isnull=True),
                name="issue_plan_due_idx",
            ),
            models.Index(fields=["project", "status"], name="issue_project_status_idx"),
        ]
        triggers = [pgtrigger.Protect(name="serviceissue_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"SI-{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("issues:detail", kwargs={"project_id": self.project_id, "serviceissue_id": self.pk})

    @property
    def awaiting_acknowledgement(self) -> bool:
        return self.status == IssueStatus.OPEN

    @property
    def awaiting_plan(self) -> bool:
        return self.status in AWAITING_PLAN

    @property
    def acknowledge_met(self) -> bool | None:
        """True if acknowledged in time, False if late or breached, None while the clock runs."""
        if self.acknowledged_at is not None:
            return self.acknowledged_at <= self.acknowledge_by
        if self.acknowledge_breached_at is not None:
            return False
        return None

    @property
    def plan_met(self) -> bool | None:
        if self.plan_proposed_at is not None and self.plan_breached_at is None:
            return self.plan_proposed_at <= self.plan_by
        if self.plan_breached_at is not None:
            return False
        return None


class EventKind(models.TextChoices):
    RAISED = "raised", "Raised"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    PLAN_PROPOSED = "plan_proposed", "Resolution plan proposed"
    PLAN_ACCEPTED = "plan_accepted", "Resolution plan accepted"
    PLAN_SENT_BACK = "plan_sent_back", "Resolution plan sent back"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed by the sponsor"
    REOPENED = "reopened", "Reopened"
    ESCALATED = "escalated", "Escalated"
    DEADLINE_BREACHED = "deadline_breached", "Agreed time breached"
    NOTE = "note", "Note"
    ATTACHMENT_ADDED = "attachment_added", "Attachment added"
    RECOGNIZED = "recognized", "Recognized"


@pghistory.track(pghistory.InsertEvent())
class IssueEvent(models.Model):
    """One entry of an issue's timeline: who, when, what. Append-only.

    `is_internal` rows are CDMO-internal notes: selectors never hand them to
    sponsor users, and the project History tab hides them by this field name.
    `project` repeats the issue's project so the History tab finds the rows.
    """

    issue = models.ForeignKey(ServiceIssue, on_delete=models.PROTECT, related_name="timeline")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the portal itself acted (a breached deadline).",
    )
    at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=200, help_text="One line in plain language.")
    note = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False, help_text="CDMO-internal: never shown to the sponsor.")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "service-issue timeline entry"
        verbose_name_plural = "service-issue timeline entries"
        indexes = [models.Index(fields=["issue", "at"], name="issueevent_issue_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_internal=False) | Q(kind="note"), name="issueevent_only_notes_internal"
            )
        ]
        triggers = [
            pgtrigger.Protect(name="issueevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.issue.reference}: {self.summary}"

    def get_absolute_url(self) -> str:
        return self.issue.get_absolute_url() + f"#event-{self.pk}"
