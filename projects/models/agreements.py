"""The working agreement: the terms both sides set at kickoff, signed by both leads.

Each version is a row of its own (append-only): a draft, then in force once the sponsor's project
lead and the CDMO's project manager have both signed it, then superseded by the next version. A
draft revised before it comes into force is replaced by a new draft (its signatures stay on the
row they signed). `projects.selectors.agreements.agreement_in_force(project, at)` answers which
version governed the project at any moment (the scorecards measure against it).

The scorecard terms (an on-time tolerance, the notice of a slip, agreed targets) serve measures
the scorecards define; `projects.agreed_targets` is the registry they fill, so this app does not
import them.

The severity vocabulary of service issues lives here, below the issues app, because the agreement
names a response time per severity; `issues.models` re-exports it unchanged.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.core.triggers import any_changed

from ..agreed_targets import (
    DEFAULT_NOTICE_DAYS,
    MAX_NOTICE_DAYS,
    MAX_TOLERANCE_DAYS,
    MIN_NOTICE_DAYS,
    agreed_measures,
    measure_name,
)
from .changes import ChangeRequest
from .project import Project


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


# Defaults when a project has not agreed its own times: (acknowledge, plan) in business hours.
DEFAULT_RESPONSE_HOURS = {
    Severity.CRITICAL: (4, 8),
    Severity.MAJOR: (8, 24),
    Severity.MINOR: (16, 40),
}
MAX_ACKNOWLEDGE_HOURS = 400
MAX_PLAN_HOURS = 800


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft, awaiting signatures"
    PROPOSED = "proposed", "Proposed in a change request"
    IN_FORCE = "in_force", "In force"
    SUPERSEDED = "superseded", "Superseded"
    REPLACED = "replaced", "Replaced before it came into force"


# The terms: what both sides sign, frozen once written.
AGREEMENT_TERMS = (
    "update_cadence_days",
    "question_response_days",
    "response_hours",
    "governance_every_weeks",
    "governance_forum",
    "sponsor_escalation",
    "cdmo_escalation",
    "escalation_steps",
    "on_time_tolerance_days",
    "scorecard_targets",
    "slip_notice_days",
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class WorkingAgreement(models.Model):
    """One version of a project's working agreement."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="working_agreements")
    number = models.PositiveIntegerField(help_text="1 for the kickoff agreement, then 2, 3, …")
    status = models.CharField(max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    update_cadence_days = models.PositiveSmallIntegerField(
        "status update every (days)", validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    question_response_days = models.PositiveSmallIntegerField(
        "questions answered within (business days)", validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    # {"critical": [acknowledge hours, plan hours], ...}: every Severity value, plan >= acknowledge.
    response_hours = models.JSONField("service issue response times (business hours)")
    governance_every_weeks = models.PositiveSmallIntegerField(
        "governance meeting every (weeks)", validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    governance_forum = models.CharField(
        "governance forum", max_length=200, blank=True, help_text="e.g. Joint steering committee, video call"
    )
    sponsor_escalation = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="sponsor escalation contact",
    )
    cdmo_escalation = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="CDMO escalation contact",
    )
    escalation_steps = models.TextField("how to escalate", help_text="What either side does, and when.")
    # The scorecard terms (docs/working-agreement.md, "Scorecard terms"): a milestone done up to
    # this many calendar days after its baseline still counts as on time; and targets agreed for
    # some scorecard measures, {measure key: [target, amber, red]} (whole percentages), winning
    # over both organizations' defaults. Older versions have 0 and {}: what they always meant.
    on_time_tolerance_days = models.PositiveSmallIntegerField(
        "on-time tolerance (calendar days)",
        default=0,
        validators=[MaxValueValidator(MAX_TOLERANCE_DAYS)],
    )
    scorecard_targets = models.JSONField("scorecard targets", default=dict, blank=True)
    # No surprises: a slip counts as announced in time when the forecast moved past the baseline
    # at least this many calendar days before it. Older versions have 14, the scorecards'
    # constant before it was a term: what they always meant.
    slip_notice_days = models.PositiveSmallIntegerField(
        "notice of a slip (calendar days)",
        default=DEFAULT_NOTICE_DAYS,
        validators=[MinValueValidator(MIN_NOTICE_DAYS), MaxValueValidator(MAX_NOTICE_DAYS)],
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    change_request = models.OneToOneField(
        ChangeRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposed_agreement",
    )
    sponsor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sponsor_signed_at = models.DateTimeField(null=True, blank=True)
    cdmo_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cdmo_signed_at = models.DateTimeField(null=True, blank=True)
    effective_from = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="agreement_number_unique"),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="in_force"),
                name="agreement_one_in_force",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status__in=["draft", "proposed"]),
                name="agreement_one_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["in_force", "superseded"])
                | models.Q(effective_from__isnull=False),
                name="agreement_in_force_has_start",
            ),
            models.CheckConstraint(
                condition=models.Q(on_time_tolerance_days__lte=MAX_TOLERANCE_DAYS),
                name="agreement_tolerance_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    slip_notice_days__gte=MIN_NOTICE_DAYS, slip_notice_days__lte=MAX_NOTICE_DAYS
                ),
                name="agreement_slip_notice_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="superseded")
                | models.Q(superseded_at__gte=models.F("effective_from")),
                name="agreement_superseded_after_start",
            ),
        ]
        indexes = [models.Index(fields=["project", "effective_from"], name="agreement_effective_idx")]
        triggers = [
            pgtrigger.Protect(name="agreement_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="agreement_terms_frozen",
                operation=pgtrigger.Update,
                condition=any_changed("project", "number", *AGREEMENT_TERMS, "drafted_by", "drafted_at"),
            ),
            pgtrigger.FSM(
                name="agreement_status_flow",
                field="status",
                transitions=[
                    (AgreementStatus.DRAFT, AgreementStatus.IN_FORCE),
                    (AgreementStatus.DRAFT, AgreementStatus.REPLACED),
                    (AgreementStatus.PROPOSED, AgreementStatus.IN_FORCE),
                    (AgreementStatus.PROPOSED, AgreementStatus.REPLACED),
                    (AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} working agreement v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("projects:agreement", kwargs={"project_id": self.project_id})

    @property
    def is_pending(self) -> bool:
        return self.status in (AgreementStatus.DRAFT, AgreementStatus.PROPOSED)

    def response_rows(self) -> list[tuple[str, int, int]]:
        """(severity label, acknowledge hours, plan hours), critical first."""
        return [
            (severity.label, *self.response_hours.get(severity.value, DEFAULT_RESPONSE_HOURS[severity]))
            for severity in Severity
        ]

    def target_rows(self) -> list[tuple[str, int, int, int]]:
        """(measure name, target, amber, red) of the agreed scorecard targets, in the Health tab's
        order (a measure no longer registered last, by its key)."""
        order = {measure.key: index for index, measure in enumerate(agreed_measures())}
        keys = sorted(self.scorecard_targets or {}, key=lambda key: (order.get(key, len(order)), key))
        return [(measure_name(key), *self.scorecard_targets[key]) for key in keys]


def response_hours_problem(hours) -> str | None:
    """Why `hours` is not a valid {severity: [acknowledge, plan]} mapping, or None."""
    if not isinstance(hours, dict) or set(hours) != set(Severity.values):
        return "Give response times for every severity."
    for severity, pair in hours.items():
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(h, int) for h in pair)):
            return "Give response times as whole business hours."
        ack, plan = pair
        label = Severity(severity).label.lower()
        if not 1 <= ack <= MAX_ACKNOWLEDGE_HOURS or not 1 <= plan <= MAX_PLAN_HOURS:
            return f"Acknowledging {label} issues takes 1 to {MAX_ACKNOWLEDGE_HOURS} hours, a plan up to {MAX_PLAN_HOURS}."
        if plan < ack:
            return f"The plan for {label} issues cannot be due before the acknowledgement."
    return None
