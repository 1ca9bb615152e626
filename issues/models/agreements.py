"""Response-time agreements: how fast the CDMO acknowledges and plans, per severity."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q
from django.urls import reverse

# The defaults and the severities live with the working agreement (projects), re-exported here.
from projects.models import DEFAULT_RESPONSE_HOURS, Project, Severity

__all__ = ["DEFAULT_RESPONSE_HOURS", "ResponseTimeAgreement", "Severity"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ResponseTimeAgreement(models.Model):
    """The agreed response times for one severity on one project.

    Rows exist only once someone edits them; `issues.selectors.effective_agreements`
    fills the gaps with `DEFAULT_RESPONSE_HOURS`.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="response_time_agreements")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    acknowledge_within_hours = models.PositiveSmallIntegerField(
        "acknowledge within (business hours)", help_text="8 business hours make one business day."
    )
    plan_within_hours = models.PositiveSmallIntegerField(
        "resolution plan within (business hours)", help_text="Counted from when the issue is raised."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["project", "severity"], name="agreement_one_per_severity"),
            models.CheckConstraint(
                condition=Q(acknowledge_within_hours__gte=1), name="agreement_ack_positive"
            ),
            models.CheckConstraint(
                condition=Q(plan_within_hours__gte=models.F("acknowledge_within_hours")),
                name="agreement_plan_after_ack",
            ),
        ]
        triggers = [pgtrigger.Protect(name="agreement_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_severity_display()} response times"

    def get_absolute_url(self) -> str:
        return reverse("issues:agreements", kwargs={"project_id": self.project_id})
