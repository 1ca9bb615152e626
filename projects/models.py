import datetime
import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from portal.core.date_window import in_window
from portal.organizations.models import Organization


class Modality(models.TextChoices):
    SMALL_MOLECULE = "small_molecule", "Small molecule"
    PEPTIDE = "peptide", "Peptide"
    BIOLOGIC = "biologic", "Biologic"
    CELL_GENE = "cell_gene", "Cell and gene therapy"
    OTHER = "other", "Other"


class Phase(models.TextChoices):
    PRECLINICAL = "preclinical", "Preclinical"
    PHASE_1 = "phase_1", "Phase 1"
    PHASE_2 = "phase_2", "Phase 2"
    PHASE_3 = "phase_3", "Phase 3"
    COMMERCIAL = "commercial", "Commercial"


class ServiceScope(models.TextChoices):
    PROCESS_DEV = "process_dev", "Process development"
    ANALYTICAL_DEV = "analytical_dev", "Analytical development"
    SCALE_UP = "scale_up", "Scale-up and tech transfer"
    API_MANUFACTURE = "api_manufacture", "cGMP drug substance (API)"
    DRUG_PRODUCT = "drug_product", "cGMP drug product"
    FILL_FINISH = "fill_finish", "Fill-finish and packaging"
    REGULATORY = "regulatory", "Regulatory support"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


class Side(models.TextChoices):
    SPONSOR = "sponsor", "Sponsor"
    CDMO = "cdmo", "CDMO"


class TeamRole(models.TextChoices):
    SPONSOR_LEAD = "sponsor_lead", "Project lead"
    DECISION_MAKER = "decision_maker", "Decision-maker"
    SPONSOR_EXECUTIVE = "sponsor_executive", "Executive"
    SPONSOR_MEMBER = "sponsor_member", "Member"
    PROJECT_MANAGER = "project_manager", "Project manager"
    SME = "sme", "Subject-matter expert"
    CDMO_EXECUTIVE = "cdmo_executive", "Executive"
    CDMO_MEMBER = "cdmo_member", "Member"


SPONSOR_ROLES = frozenset(
    {TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER, TeamRole.SPONSOR_EXECUTIVE, TeamRole.SPONSOR_MEMBER}
)
CDMO_ROLES = frozenset(
    {TeamRole.PROJECT_MANAGER, TeamRole.SME, TeamRole.CDMO_EXECUTIVE, TeamRole.CDMO_MEMBER}
)


def side_of_role(role: str) -> Side:
    return Side.SPONSOR if role in SPONSOR_ROLES else Side.CDMO


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    # Bookkeeping written by every publish; the update itself is the audited event.
    exclude=["next_update_due", "last_update_published_at"],
)
class Project(models.Model):
    """A program joining exactly one sponsor and one CDMO."""

    sponsor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sponsored_projects")
    cdmo = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cdmo_projects")
    code = models.CharField(max_length=32, help_text="The program code both sides use, e.g. ACM-104.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    modality = models.CharField(max_length=20, choices=Modality.choices)
    phase = models.CharField("clinical phase", max_length=20, choices=Phase.choices)
    service_scope = ArrayField(
        models.CharField(max_length=20, choices=ServiceScope.choices), default=list, blank=True
    )
    status = models.CharField(max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    start_date = models.DateField()
    update_cadence_days = models.PositiveSmallIntegerField(
        "update cadence (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How often the CDMO publishes a status update.",
    )
    question_response_days = models.PositiveSmallIntegerField(
        "question response time (business days)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Agreed time for the CDMO to answer a sponsor question.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit; guards concurrent edits."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when an update is published (issue 3); the stale-update rule reads them.
    next_update_due = models.DateField(null=True, blank=True, db_index=True, editable=False)
    last_update_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["sponsor", "code"], name="project_code_unique_per_sponsor"),
            models.CheckConstraint(condition=~models.Q(sponsor=models.F("cdmo")), name="project_two_parties"),
            models.CheckConstraint(
                condition=models.Q(update_cadence_days__gte=1), name="project_cadence_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "phase"])]
        triggers = [pgtrigger.Protect(name="project_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def scope_labels(self) -> list[str]:
        labels = dict(ServiceScope.choices)
        return [labels.get(value, value) for value in self.service_scope]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ProjectMember(models.Model):
    """A person on a project team. Removal is recorded, never deleted."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    side = models.CharField(max_length=10, choices=Side.choices)
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    is_point_of_contact = models.BooleanField(
        "single point of contact",
        default=False,
        help_text="The one person on this side who is empowered to act.",
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["side", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="member_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["project", "side"],
                condition=models.Q(is_point_of_contact=True, removed_at__isnull=True),
                name="member_one_point_of_contact_per_side",
            ),
            models.CheckConstraint(
                condition=(
                    # sorted(): a frozenset's order changes between runs, the migration must not.
                    models.Q(side=Side.SPONSOR, role__in=sorted(r.value for r in SPONSOR_ROLES))
                    | models.Q(side=Side.CDMO, role__in=sorted(r.value for r in CDMO_ROLES))
                ),
                name="member_role_matches_side",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "project"],
                condition=models.Q(removed_at__isnull=True),
                name="member_active_idx",
            )
        ]
        triggers = [pgtrigger.Protect(name="member_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) on {self.project.code}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


# ---------------------------------------------------------------------------
# Milestones and structured status updates: the weekly loop (issue 3).
# ---------------------------------------------------------------------------


def _any_changed(*fields: str) -> pgtrigger.Q:
    """Trigger condition: any of `fields` differs between the old and new row."""
    condition = pgtrigger.Q(**{f"old__{fields[0]}__df": pgtrigger.F(f"new__{fields[0]}")})
    for name in fields[1:]:
        condition |= pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}")})
    return condition


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
        triggers = [pgtrigger.Protect(name="milestone_no_delete", operation=pgtrigger.Delete)]

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
                & _any_changed(*UPDATE_CONTENT_FIELDS),
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


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Waiting on the sponsor"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DecisionRequest(models.Model):
    """A decision the CDMO needs from the sponsor, raised by a published update."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="decision_requests")
    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="decisions")
    title = models.CharField("decision needed", max_length=300)
    needed_by = models.DateField()
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The same request raised by the revision this correction replaced.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField("the decision", blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["needed_by", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=DecisionStatus.DECIDED)
                | (
                    models.Q(decided_at__isnull=False, decided_by__isnull=False) & ~models.Q(decision_note="")
                ),
                name="decision_decided_has_who_when_what",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DecisionStatus.WITHDRAWN) | models.Q(withdrawn_at__isnull=False),
                name="decision_withdrawn_has_when",
            ),
        ]
        indexes = [
            models.Index(
                fields=["project", "needed_by"],
                condition=models.Q(status=DecisionStatus.OPEN),
                name="decision_open_needed_by_idx",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="decision_no_delete", operation=pgtrigger.Delete),
            pgtrigger.FSM(
                name="decision_status_flow",
                field="status",
                transitions=[
                    (DecisionStatus.OPEN, DecisionStatus.DECIDED),
                    (DecisionStatus.OPEN, DecisionStatus.WITHDRAWN),
                ],
            ),
            # What was asked, and when it is needed, is part of the published record.
            pgtrigger.Protect(
                name="decision_request_is_immutable",
                operation=pgtrigger.Update,
                condition=_any_changed("project", "update", "title", "needed_by", "raised_at", "replaces"),
            ),
            pgtrigger.Protect(
                name="decision_outcome_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__in=[DecisionStatus.DECIDED, DecisionStatus.WITHDRAWN])
                & _any_changed(
                    "decided_at", "decided_by", "decision_note", "withdrawn_at", "withdrawn_reason"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:decision", kwargs={"project_id": self.project_id, "decisionrequest_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status == DecisionStatus.OPEN


class AttachmentType(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel workbook"
    PPTX = "pptx", "PowerPoint presentation"
    DOC = "doc", "Word 97–2003 document"
    XLS = "xls", "Excel 97–2003 workbook"
    PPT = "ppt", "PowerPoint 97–2003 presentation"


def attachment_upload_to(instance: "UpdateAttachment", filename: str) -> str:
    # A random folder per file: names never collide and are never guessable.
    return f"updates/{instance.update.project_id}/{uuid.uuid4().hex}/{filename}"


class AttachmentFrozenWhenPublished(pgtrigger.Trigger):
    """Attachments of a published update cannot be added or removed."""

    when = pgtrigger.Before
    operation = pgtrigger.Insert | pgtrigger.Update
    func = pgtrigger.Func(
        """
        IF (TG_OP = 'INSERT' OR OLD.removed_at IS DISTINCT FROM NEW.removed_at)
           AND EXISTS (SELECT 1 FROM projects_statusupdate u WHERE u.id = NEW.update_id AND u.status <> 'draft')
        THEN
            RAISE EXCEPTION 'The attachments of a published update are part of the record and cannot change.';
        END IF;
        RETURN NEW;
        """
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class UpdateAttachment(models.Model):
    """A file attached to a status update (PDF, image or office document)."""

    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveIntegerField()
    file_type = models.CharField(max_length=5, choices=AttachmentType.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="Taken off a draft before publishing.")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        triggers = [
            pgtrigger.Protect(name="attachment_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="attachment_file_is_immutable",
                operation=pgtrigger.Update,
                condition=_any_changed(
                    "update", "file", "original_name", "size_bytes", "file_type", "uploaded_by", "uploaded_at"
                ),
            ),
            AttachmentFrozenWhenPublished(name="attachment_frozen_when_published"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:attachment",
            kwargs={
                "project_id": self.update.project_id,
                "statusupdate_id": self.update_id,
                "updateattachment_id": self.pk,
            },
        )


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


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class UpdateComment(models.Model):
    """The discussion on an update: comments, sponsor questions with a response clock, answers.

    `is_internal` notes are CDMO-only and never shown to sponsor users, anywhere.
    """

    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=CommentKind.choices, default=CommentKind.COMMENT)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    body = models.TextField()
    is_internal = models.BooleanField(
        "CDMO-internal note", default=False, help_text="Only the CDMO team sees it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(
        null=True, blank=True, help_text="Questions: when the agreed response time runs out."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=CommentKind.QUESTION, respond_by__isnull=False)
                | (~models.Q(kind=CommentKind.QUESTION) & models.Q(respond_by__isnull=True)),
                name="comment_question_has_clock",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=CommentKind.ANSWER, parent__isnull=False)
                | (~models.Q(kind=CommentKind.ANSWER) & models.Q(parent__isnull=True)),
                name="comment_answer_has_question",
            ),
            models.CheckConstraint(
                condition=models.Q(is_internal=False) | models.Q(kind=CommentKind.COMMENT),
                name="comment_internal_notes_are_comments",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(kind=CommentKind.QUESTION, answered_by__isnull=False),
                name="comment_only_questions_are_answered",
            ),
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_has_body"),
        ]
        indexes = [
            # The stale-communication worker scans only questions still waiting for an answer.
            models.Index(
                fields=["respond_by"],
                condition=models.Q(kind=CommentKind.QUESTION, answered_at__isnull=True),
                name="question_unanswered_idx",
            ),
            models.Index(fields=["update", "created_at"], name="comment_update_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="comment_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="comment_is_immutable",
                operation=pgtrigger.Update,
                condition=_any_changed(
                    "update", "author", "kind", "parent", "body", "is_internal", "created_at", "respond_by"
                ),
            ),
            pgtrigger.Protect(
                name="comment_answer_time_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__answered_at__isnull=False)
                & _any_changed("answered_at", "answered_by"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.update}"

    @property
    def is_question(self) -> bool:
        return self.kind == CommentKind.QUESTION

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answer_time(self):
        """How long the answer took (a timedelta), or None while open."""
        if self.answered_at is None:
            return None
        return self.answered_at - self.created_at

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None or self.respond_by is None:
            return None
        return self.answered_at <= self.respond_by

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_question and self.answered_at is None and self.respond_by < now
