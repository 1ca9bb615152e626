"""Milestones: dated commitments and the record of every forecast move."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from portal.core.date_window import in_window

from .project import Project


class MilestoneKind(models.TextChoices):
    TECH_TRANSFER = "tech_transfer", "Tech transfer"
    ENGINEERING_BATCH = "engineering_batch", "Engineering batch"
    GMP_BATCH = "gmp_batch", "GMP batch"
    RELEASE = "release", "Release / CoA"
    STABILITY_PULL = "stability_pull", "Stability pull"
    REGULATORY_FILING = "regulatory_filing", "Regulatory filing"
    DELIVERY = "delivery", "Delivery"
    OTHER = "other", "Other"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    AT_RISK = "at_risk", "At risk"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Milestones that still have a date to meet.
OPEN_MILESTONE_STATUSES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.AT_RISK)


BASELINE_GUARD_SQL = """
IF NOT EXISTS (
    SELECT 1 FROM projects_milestonebaseline b
    JOIN projects_changerequest c ON c.id = b.change_request_id
    WHERE b.milestone_id = NEW.id AND b.baseline_date = NEW.baseline_date
      AND c.status = 'approved' AND c.project_id = NEW.project_id
      AND b.id = (SELECT max(id) FROM projects_milestonebaseline WHERE milestone_id = NEW.id)
) THEN
    RAISE EXCEPTION 'pgtrigger: a milestone''s baseline moves only with an approved change request';
END IF;
RETURN NEW;
"""


class DaysBetween(models.Func):
    """`a - b` for two date expressions, in whole days (PostgreSQL date subtraction)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


class MilestoneQuerySet(models.QuerySet):
    def with_slip(self) -> "MilestoneQuerySet":
        """Annotate `slip`: (actual or forecast) minus baseline, in days, computed by the database."""
        return self.annotate(slip=DaysBetween(Coalesce("actual_date", "forecast_date"), "baseline_date"))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Milestone(models.Model):
    """A dated commitment: baseline as contracted, forecast as now expected, actual when done."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_milestones",
        null=True,
        blank=True,
    )
    baseline_date = models.DateField(help_text="The date as contracted.")
    forecast_date = models.DateField(help_text="The date now expected. Changing it needs a reason.")
    actual_date = models.DateField(null=True, blank=True, help_text="When it was actually done.")
    status = models.CharField(max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit; guards concurrent edits."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["baseline_date", "pk"]
        constraints = [
            # Done means there is an actual date; an actual date means it is done.
            models.CheckConstraint(
                condition=(
                    models.Q(status=MilestoneStatus.DONE, actual_date__isnull=False)
                    | (~models.Q(status=MilestoneStatus.DONE) & models.Q(actual_date__isnull=True))
                ),
                name="milestone_actual_date_iff_done",
            ),
            # Pages and calendar feeds compute with these dates (portal.core.date_window).
            models.CheckConstraint(
                condition=in_window("baseline_date")
                & in_window("forecast_date")
                & in_window("actual_date", nullable=True),
                name="milestone_dates_in_window",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "baseline_date"], name="milestone_project_idx"),
            # The red-flag worker looks for open milestones past their forecast.
            models.Index(
                fields=["forecast_date"],
                condition=models.Q(status__in=[s.value for s in OPEN_MILESTONE_STATUSES]),
                name="milestone_open_forecast_idx",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="milestone_no_delete", operation=pgtrigger.Delete),
            # After creation the baseline moves only with an approved change request: the service
            # writes the baseline history row first, and the database checks it is there.
            pgtrigger.Trigger(
                name="milestone_baseline_moves_by_change",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__baseline_date__df=pgtrigger.F("new__baseline_date")),
                func=BASELINE_GUARD_SQL,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:milestone", kwargs={"project_id": self.project_id, "milestone_id": self.pk})

    @property
    def slip_days(self) -> int:
        """Days late (positive) or early (negative) against the baseline."""
        annotated = self.__dict__.get("slip")
        if annotated is not None:
            return annotated
        return ((self.actual_date or self.forecast_date) - self.baseline_date).days

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MILESTONE_STATUSES

    def is_overdue(self, today) -> bool:
        """Still open and its forecast date has passed."""
        return self.is_open and self.forecast_date < today


@pghistory.track(pghistory.InsertEvent())
class MilestoneForecastChange(models.Model):
    """One move of a milestone's forecast date, with the reason. Append-only."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="forecast_changes")
    old_forecast_date = models.DateField()
    new_forecast_date = models.DateField()
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="forecast_change_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(old_forecast_date=models.F("new_forecast_date")),
                name="forecast_change_moves_the_date",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="forecast_change_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="forecast_change_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.old_forecast_date} → {self.new_forecast_date}"

    @property
    def moved_by_days(self) -> int:
        return (self.new_forecast_date - self.old_forecast_date).days
