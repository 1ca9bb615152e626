"""Decision requests a published update raises for the sponsor."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ._triggers import _any_changed
from .project import Project
from .updates import StatusUpdate


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
