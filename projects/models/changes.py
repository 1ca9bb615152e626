"""Change control: a change request with its options, decided with a signature, and the baseline
history an approved option writes (the only way a milestone's baseline moves after creation)."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.core.triggers import any_changed

from .milestones import Milestone
from .project import Project
from .team import Side

MAX_OPTIONS = 4
# A re-baseline moves a date by at most ten years either way.
MAX_IMPACT_DAYS = 3650


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChangeRequest(models.Model):
    """A proposed change to a project's dates, scope or specification, with its options."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="change_requests")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_by_side = models.CharField(max_length=10, choices=Side.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200)
    what = models.TextField("what changes")
    why = models.TextField("why")
    needed_by = models.DateField("decision needed by")
    recommended_option = models.ForeignKey(
        "ChangeOption", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recommendation = models.TextField("why this option", blank=True)
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    approved_option = models.ForeignKey(
        "ChangeOption", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit; guards concurrent edits."
    )
    revision = models.PositiveIntegerField(
        default=1, help_text="The content's revision: an edit while proposed writes the options anew."
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ChangeStatus.APPROVED)
                | models.Q(approved_option__isnull=False, decided_at__isnull=False, decided_by__isnull=False),
                name="change_approved_has_option_who_when",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ChangeStatus.REJECTED)
                | (
                    models.Q(decided_at__isnull=False, decided_by__isnull=False, approved_option__isnull=True)
                    & ~models.Q(decision_reason="")
                ),
                name="change_rejected_has_reason_who_when",
            ),
        ]
        indexes = [models.Index(fields=["project", "status", "needed_by"], name="change_project_status_idx")]
        triggers = [
            pgtrigger.Protect(name="change_no_delete", operation=pgtrigger.Delete),
            pgtrigger.FSM(
                name="change_status_flow",
                field="status",
                transitions=[
                    (ChangeStatus.PROPOSED, ChangeStatus.APPROVED),
                    (ChangeStatus.PROPOSED, ChangeStatus.REJECTED),
                    (ChangeStatus.PROPOSED, ChangeStatus.WITHDRAWN),
                ],
            ),
            pgtrigger.Protect(
                name="change_decision_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__in=[ChangeStatus.APPROVED, ChangeStatus.REJECTED])
                & any_changed("decided_at", "decided_by", "decision_reason", "approved_option"),
            ),
            # What was proposed is edited only while it is proposed (services/change_edit.py).
            pgtrigger.Protect(
                name="change_content_fixed_once_decided",
                operation=pgtrigger.Update,
                condition=~pgtrigger.Q(old__status=ChangeStatus.PROPOSED)
                & any_changed(
                    "title", "what", "why", "needed_by", "recommended_option", "recommendation", "revision"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:change", kwargs={"project_id": self.project_id, "changerequest_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == ChangeStatus.PROPOSED

    @property
    def current_options(self) -> list["ChangeOption"]:
        """The options of the current revision (earlier revisions' rows are kept as history);
        `get_change` prefetches every revision's, so this costs no query there."""
        return [option for option in self.options.all() if option.revision == self.revision]


@pghistory.track(pghistory.InsertEvent())
class ChangeOption(models.Model):
    """One way to make the change, with what it does to dates, cost, quality and filings."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="options")
    revision = models.PositiveIntegerField(default=1)
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    description = models.TextField()
    cost_impact = models.TextField(blank=True)
    quality_impact = models.TextField("quality / specification impact", blank=True)
    regulatory_impact = models.TextField("regulatory filings impact", blank=True)

    class Meta:
        ordering = ["revision", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "revision", "position"], name="change_option_revision_position_unique"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="change_option_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="change_option_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return self.label


@pghistory.track(pghistory.InsertEvent())
class MilestoneImpact(models.Model):
    """What an option does to one milestone of the same project: its baseline moves by `days`."""

    option = models.ForeignKey(ChangeOption, on_delete=models.PROTECT, related_name="impacts")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="+")
    days = models.IntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["option", "milestone"], name="milestone_impact_unique"),
            models.CheckConstraint(
                condition=~models.Q(days=0) & models.Q(days__gte=-MAX_IMPACT_DAYS, days__lte=MAX_IMPACT_DAYS),
                name="milestone_impact_moves",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="milestone_impact_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="milestone_impact_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.days:+d} days"


@pghistory.track(pghistory.InsertEvent())
class MilestoneBaseline(models.Model):
    """Every baseline a milestone has had: the first (no change request) and each re-baseline."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="baselines")
    baseline_date = models.DateField()
    set_at = models.DateTimeField(default=timezone.now)
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="baselines"
    )

    class Meta:
        ordering = ["set_at", "pk"]
        triggers = [
            pgtrigger.Protect(name="milestone_baseline_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="milestone_baseline_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.baseline_date}"
