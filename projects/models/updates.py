"""Structured status updates: drafts, published records, corrections, acknowledgements."""

import datetime

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.core.triggers import any_changed

from .project import Project


class RAG(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded by a correction"
    DISCARDED = "discarded", "Discarded draft"


# The parts of an update that are the record: frozen once it leaves draft.
UPDATE_CONTENT_FIELDS = (
    "project",
    "title",
    "period_start",
    "period_end",
    "overall_rag",
    "schedule_rag",
    "budget_rag",
    "quality_rag",
    "supply_rag",
    "summary",
    "progress",
    "next_steps",
    "risks",
    "decisions_needed",
    "revision_of",
    "original",
    "revision_number",
    "correction_reason",
    "created_by",
    "created_at",
    "last_saved_by",
    "published_at",
    "published_by",
)
RAG_FIELDS = ("overall_rag", "schedule_rag", "budget_rag", "quality_rag", "supply_rag")


def json_date(value) -> datetime.date | None:
    """An ISO date kept in an update's JSON rows (next steps, decisions), as a date; None if it is not one."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


class StatusUpdateQuerySet(models.QuerySet):
    def visible_record(self) -> "StatusUpdateQuerySet":
        """Updates that were published (the current one or an earlier revision)."""
        return self.filter(status__in=[UpdateStatus.PUBLISHED, UpdateStatus.SUPERSEDED])


@pghistory.track(
    # Drafts are CDMO work in progress: the audit trail records an update when it becomes
    # a record (published) and when a correction supersedes it, with the full content.
    pghistory.InsertEvent(condition=pgtrigger.Q(new__status=UpdateStatus.PUBLISHED)),
    pghistory.UpdateEvent(
        condition=pgtrigger.Q(old__status__df=pgtrigger.F("new__status"))
        & pgtrigger.Q(new__status__in=[UpdateStatus.PUBLISHED, UpdateStatus.SUPERSEDED])
    ),
)
class StatusUpdate(models.Model):
    """The CDMO's structured status report for one cadence period.

    A draft is edited freely by the CDMO; once published it is a record that is
    never edited in place (the database refuses it). A correction is a new
    revision (`revision_of` the published one); publishing it supersedes the old.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="status_updates")
    title = models.CharField(
        "headline", max_length=160, blank=True, help_text="One line the sponsor reads first."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    overall_rag = models.CharField("overall status", max_length=5, choices=RAG.choices, blank=True)
    schedule_rag = models.CharField("schedule", max_length=5, choices=RAG.choices, blank=True)
    budget_rag = models.CharField("budget", max_length=5, choices=RAG.choices, blank=True)
    quality_rag = models.CharField("quality", max_length=5, choices=RAG.choices, blank=True)
    supply_rag = models.CharField("supply", max_length=5, choices=RAG.choices, blank=True)
    summary = models.TextField(blank=True)
    progress = models.TextField("progress since the last update", blank=True)
    # [{"description": str, "due": "YYYY-MM-DD"}]: validated by the form, frozen with the update.
    next_steps = models.JSONField(default=list, blank=True)
    risks = models.TextField("risks and issues", blank=True)
    # [{"title": str, "needed_by": "YYYY-MM-DD", "source_decision": id | None}]; publishing turns
    # each into a DecisionRequest the sponsor resolves.
    decisions_needed = models.JSONField("decisions needed from the sponsor", default=list, blank=True)
    status = models.CharField(max_length=10, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT)
    revision_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The first revision of this update (empty on the first revision itself).",
    )
    revision_number = models.PositiveSmallIntegerField(default=1)
    correction_reason = models.TextField("what this correction fixes", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    last_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every save; guards concurrent edits."
    )

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-revision_number", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="update_period_in_order"
            ),
            # A record carries who published it, when, and a complete status.
            models.CheckConstraint(
                condition=models.Q(status__in=[UpdateStatus.DRAFT, UpdateStatus.DISCARDED])
                | (
                    models.Q(published_at__isnull=False, published_by__isnull=False)
                    & ~models.Q(title="")
                    & ~models.Q(summary="")
                    & ~models.Q(overall_rag="")
                    & ~models.Q(schedule_rag="")
                    & ~models.Q(budget_rag="")
                    & ~models.Q(quality_rag="")
                    & ~models.Q(supply_rag="")
                ),
                name="update_published_is_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(revision_of__isnull=True, original__isnull=True, revision_number=1)
                | models.Q(revision_of__isnull=False, original__isnull=False, revision_number__gt=1),
                name="update_revision_numbering",
            ),
            models.CheckConstraint(
                condition=models.Q(revision_of__isnull=True)
                | ~models.Q(correction_reason="")
                | models.Q(status=UpdateStatus.DRAFT)
                | models.Q(status=UpdateStatus.DISCARDED),
                name="update_correction_has_reason",
            ),
            # One new-period draft per project at a time, and one live correction per revision.
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status=UpdateStatus.DRAFT, revision_of__isnull=True),
                name="update_one_new_draft_per_project",
            ),
            models.UniqueConstraint(
                fields=["revision_of"],
                condition=~models.Q(status=UpdateStatus.DISCARDED),
                name="update_one_correction_per_revision",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "-published_at"], name="update_project_status_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="update_no_delete", operation=pgtrigger.Delete),
            pgtrigger.FSM(
                name="update_status_flow",
                field="status",
                transitions=[
                    (UpdateStatus.DRAFT, UpdateStatus.PUBLISHED),
                    (UpdateStatus.DRAFT, UpdateStatus.DISCARDED),
                    (UpdateStatus.PUBLISHED, UpdateStatus.SUPERSEDED),
                ],
            ),
            # A published update is a record: its content never changes again.
            pgtrigger.Protect(
                name="update_record_is_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(
                    old__status__in=[UpdateStatus.PUBLISHED, UpdateStatus.SUPERSEDED, UpdateStatus.DISCARDED]
                )
                & any_changed(*UPDATE_CONTENT_FIELDS),
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Update {self.period_start:%d %b}–{self.period_end:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("projects:update", kwargs={"project_id": self.project_id, "statusupdate_id": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == UpdateStatus.DRAFT

    @property
    def is_record(self) -> bool:
        return self.status in (UpdateStatus.PUBLISHED, UpdateStatus.SUPERSEDED)

    @property
    def is_correction(self) -> bool:
        return self.revision_of_id is not None

    @property
    def root_id(self) -> int:
        return self.original_id or self.pk

    def dimension_rags(self) -> list[tuple[str, str, str]]:
        """(label, value, display) for schedule, budget, quality and supply."""
        labels = dict(RAG.choices)
        return [
            (
                str(self._meta.get_field(name).verbose_name).capitalize(),
                getattr(self, name),
                labels.get(getattr(self, name), "Not set"),
            )
            for name in RAG_FIELDS[1:]
        ]


@pghistory.track(pghistory.InsertEvent())
class UpdateAcknowledgement(models.Model):
    """A sponsor team member confirmed they read an update. Once per person per update."""

    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["acknowledged_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["update", "user"], name="acknowledgement_once_per_person"),
        ]
        triggers = [
            pgtrigger.Protect(name="acknowledgement_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="acknowledgement_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.update}"
