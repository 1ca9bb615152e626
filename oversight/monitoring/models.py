"""Red flags: what the background workers found wrong with a project, and when it cleared."""

import pghistory
import pgtrigger
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone


class FlagKind(models.TextChoices):
    STALE_UPDATE = "stale_update", "No recent status update"
    QUESTION_UNANSWERED = "question_unanswered", "Sponsor question unanswered"
    NO_DECISION_MAKER = "no_decision_maker", "No decision-maker on the project"
    GOVERNANCE_WITHOUT_DECISION_MAKER = "governance_no_dm", "Governance meeting without decision-maker"
    DECISION_MAKER_ABSENT = "decision_maker_absent", "Decision-maker absent from governance"
    NO_SPONSOR_CONTACT = "no_sponsor_contact", "No sponsor point of contact"
    NO_CDMO_CONTACT = "no_cdmo_contact", "No CDMO point of contact"
    MINUTES_NOT_SENT = "minutes_not_sent", "Minutes not sent"
    MINUTES_NOT_CONFIRMED = "minutes_not_confirmed", "Minutes not confirmed"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Action item overdue"
    MILESTONE_SLIP = "milestone_slip", "Milestone slipping"
    MILESTONE_PAST_DUE = "milestone_past_due", "Milestone past due"
    ISSUE_ACK_BREACH = "issue_ack_breach", "Service issue not acknowledged in time"
    ISSUE_PLAN_BREACH = "issue_plan_breach", "Service issue without a plan in time"
    CHANGE_PAST_NEEDED_BY = "change_past_needed_by", "Change request past its needed-by date"
    DECISION_PAST_NEEDED_BY = "decision_past_needed_by", "Decision request past its needed-by date"
    GOVERNANCE_RHYTHM_MISSED = "governance_rhythm_missed", "Governance rhythm missed"
    ESCALATION_CONTACT_LEFT = "escalation_contact_left", "Escalation contact left the team"


class Severity(models.TextChoices):
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


# Raising and clearing are history; the explanation's day counts changing every sweep are not.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(condition=pghistory.AnyChange("cleared_at")))
class Flag(models.Model):
    """One finding about one object. At most one open flag per (kind, object)."""

    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="flags")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    explanation = models.CharField(max_length=400, help_text="Plain language, with the numbers.")
    raised_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"],
                condition=models.Q(cleared_at__isnull=True),
                name="flag_one_open_per_kind_and_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(cleared_at__isnull=True) | models.Q(cleared_at__gte=models.F("raised_at")),
                name="flag_clears_after_raised",
            ),
        ]
        indexes = [
            models.Index(
                fields=["project"], condition=models.Q(cleared_at__isnull=True), name="flag_open_project_idx"
            ),
            models.Index(fields=["raised_at"], name="flag_raised_idx"),
            models.Index(fields=["cleared_at"], name="flag_cleared_idx"),
        ]
        triggers = [pgtrigger.Protect(name="flag_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.explanation}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    def get_absolute_url(self) -> str:
        return reverse("monitoring:project_flags", kwargs={"project_id": self.project_id})


class ProjectAttention(models.Model):
    """The executive dashboard's figures for one project, kept by `attention.refresh_attention`
    in the transaction of every write that changes one (and by the sweep, as the safety net).

    Derived data: `attention.live_attention` is the one definition of each figure; this row is
    what it said after the project's last change, so the dashboard reads a join instead of
    fifteen sub-selects per project."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, primary_key=True, related_name="attention"
    )
    # NULL, as the live figure says, when nothing was published yet (the "none" filter asks it).
    overall = models.CharField(  # noqa: DJ001
        max_length=5, null=True, blank=True, help_text="Latest published overall RAG."
    )
    critical_flags = models.PositiveIntegerField(default=0)
    warning_flags = models.PositiveIntegerField(default=0)
    breached_issues = models.PositiveIntegerField(default=0)
    worst_slip = models.IntegerField(default=0, help_text="Days, the worst open milestone's.")
    decision_maker_flagged = models.BooleanField(default=False)
    # db_default: the trigger that gives a new project its row names its columns, not this one.
    falling_measures = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="Scorecard measures falling this quarter (oversight/scorecards/trend.py).",
    )
    score = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(help_text="When the figures last changed.")
    # A copy of the project's code, so that the dashboard's order (score, then code) is one
    # index: kept by triggers (migration 0005), whoever writes the project or this row.
    code = models.CharField(max_length=32, db_default="", editable=False)

    class Meta:
        verbose_name_plural = "project attention"
        # The dashboard's default order (score, highest first, then code) walks this index and
        # joins each row's project by key until a page is full: the visible projects are never
        # all sorted, however many share a score. Every project has a row from its insert on (a
        # trigger, migration 0004), so the dashboard joins this table without an outer join.
        indexes = [models.Index(fields=["-score", "code", "project"], name="attention_order_idx")]

    def __str__(self) -> str:
        return f"Attention {self.score} for project {self.project_id}"


class FlagTally(models.Model):
    """Flags raised and cleared in one hour (UTC) on the projects one organization sees: the
    dashboard's weekly trend, summed from at most 24 × 7 rows a week instead of every flag.

    Derived data, like ProjectAttention: kept by triggers on every write of a flag, in its
    statement (migration 0006); `tally.live_tallies` is the definition a rebuild compares with."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    hour = models.DateTimeField()
    raised = models.IntegerField(default=0)
    cleared = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "hour"], name="flag_tally_one_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.raised} raised, {self.cleared} cleared at {self.hour:%Y-%m-%d %H}h"


class OpenFlagTally(models.Model):
    """Open flags of one kind on the projects one organization sees (the dashboard's counts by
    kind). Kept with FlagTally, by the same triggers."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    open = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="open_flag_tally_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.open} open {self.kind}"


class ProjectCheck(models.Model):
    """When the project's flags could next change with time alone (a deadline passing, a
    severity threshold reached), as the rules said after its last evaluation; NULL: never.

    The quarter-hourly sweep evaluates only the projects whose moment came (`check_at <= now`):
    changes to their data re-evaluate them at once (listeners.py), so time is all it must catch.
    Derived data: the nightly reconciliation recomputes every row."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, primary_key=True, related_name="monitoring_check"
    )
    check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["check_at"], condition=models.Q(check_at__isnull=False), name="check_at_idx")
        ]

    def __str__(self) -> str:
        return f"Check project {self.project_id} at {self.check_at}"
