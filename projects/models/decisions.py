"""Decision requests a published update raises for the sponsor."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.core.triggers import any_changed

from .project import Project
from .updates import StatusUpdate


def item_options(item: dict) -> list[dict]:
    """A decisions-needed row's options as typed: [{"label", "description"}] (blank ones dropped)."""
    return [
        {"label": (o.get("label") or "").strip(), "description": (o.get("description") or "").strip()}
        for o in item.get("options") or []
        if (o.get("label") or "").strip() or (o.get("description") or "").strip()
    ]


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Waiting on the sponsor"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DecisionOutcome(models.TextChoices):
    """What the decider's signature meant; blank on decisions recorded before outcomes were kept."""

    NONE = "", "—"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


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
    # A request asked as a choice between options (2–4, `DecisionOption`) carries the CDMO's
    # recommendation; one without options is a free-text decision (docs/decisions.md).
    recommended_option = models.ForeignKey(
        "DecisionOption", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recommendation = models.TextField("why this option", blank=True)
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices, blank=True, default="")
    approved_option = models.ForeignKey(
        "DecisionOption", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["needed_by", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=DecisionStatus.DECIDED)
                | (
                    models.Q(decided_at__isnull=False, decided_by__isnull=False)
                    & (~models.Q(decision_note="") | models.Q(approved_option__isnull=False))
                ),
                name="decision_decided_has_who_when_what",
            ),
            # An approved choice between options names the option (of the same request: the
            # composite foreign keys of migration 0009); a rejection names none and says why.
            models.CheckConstraint(
                condition=~models.Q(
                    status=DecisionStatus.DECIDED,
                    outcome=DecisionOutcome.APPROVED,
                    recommended_option__isnull=False,
                )
                | models.Q(approved_option__isnull=False),
                name="decision_approved_names_option",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_option__isnull=True)
                | models.Q(status=DecisionStatus.DECIDED, outcome=DecisionOutcome.APPROVED),
                name="decision_option_only_when_approved",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=DecisionOutcome.REJECTED) | ~models.Q(decision_note=""),
                name="decision_rejected_has_reason",
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
                condition=any_changed(
                    "project", "update", "title", "needed_by", "raised_at", "replaces", "recommendation"
                ),
            ),
            # Publishing sets the recommended option once, after creating the options.
            pgtrigger.Protect(
                name="decision_recommendation_is_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__recommended_option__isnull=False)
                & any_changed("recommended_option"),
            ),
            pgtrigger.Protect(
                name="decision_outcome_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__in=[DecisionStatus.DECIDED, DecisionStatus.WITHDRAWN])
                & any_changed(
                    "decided_at",
                    "decided_by",
                    "decision_note",
                    "withdrawn_at",
                    "withdrawn_reason",
                    "outcome",
                    "approved_option",
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

    @property
    def current_options(self) -> list["DecisionOption"]:
        """Its options (a published request's never change; a change request's `current_options`
        is the same question for a record that can be edited)."""
        return list(self.options.all())


@pghistory.track(pghistory.InsertEvent())
class DecisionOption(models.Model):
    """One answer the sponsor can choose, as the published update offered it. Append-only."""

    decision = models.ForeignKey(DecisionRequest, on_delete=models.PROTECT, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    description = models.TextField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "position"], name="decision_option_position_unique"),
            # The target of the requests' composite foreign keys (an option of the same request).
            models.UniqueConstraint(fields=["decision", "id"], name="decision_option_of_request"),
        ]
        triggers = [
            pgtrigger.Protect(name="decision_option_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="decision_option_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return self.label
