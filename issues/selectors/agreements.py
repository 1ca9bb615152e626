"""Reads of the agreed response times (defaults where a project agreed none)."""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import Project

from ..models import DEFAULT_RESPONSE_HOURS, ResponseTimeAgreement, Severity


@dataclass(frozen=True)
class AgreedTimes:
    severity: str
    acknowledge_within_hours: int
    plan_within_hours: int
    is_default: bool

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label


def effective_agreements(*, project: Project) -> list[AgreedTimes]:
    """The project's agreed times per severity (critical first); defaults where none was agreed."""
    rows = {a.severity: a for a in ResponseTimeAgreement.objects.filter(project=project)}
    result = []
    for severity in Severity:
        row = rows.get(severity)
        if row is not None:
            result.append(AgreedTimes(severity, row.acknowledge_within_hours, row.plan_within_hours, False))
        else:
            ack, plan = DEFAULT_RESPONSE_HOURS[severity]
            result.append(AgreedTimes(severity, ack, plan, True))
    return result


def agreed_times_for(*, project: Project, severity: str) -> AgreedTimes:
    return next(a for a in effective_agreements(project=project) if a.severity == severity)
