"""What every red-flag rule is: a kind, a subject model and a set-based `findings(now)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from projects.models import Project, ProjectStatus, ProposalStatus

from ..models import Severity

UPDATE_GRACE_DAYS = 2
# A forecast this many days past its baseline is a slip worth an executive's attention.
MILESTONE_SLIP_THRESHOLD_DAYS = 14
MILESTONE_SLIP_CRITICAL_DAYS = 45


@dataclass(frozen=True)
class Finding:
    project_id: int
    subject_id: int
    explanation: str
    severity: str = Severity.WARNING
    data: dict = field(default_factory=dict, compare=False)


class Rule:
    kind: str
    subject_model = Project

    def findings(self, now: dt.datetime) -> list[Finding]:  # pragma: no cover - interface
        raise NotImplementedError

    @classmethod
    def subject_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls.subject_model)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def active_projects():
    """Running projects: active and agreed by both sides (a proposal is never flagged)."""
    return Project.objects.filter(status=ProjectStatus.ACTIVE, proposal_status=ProposalStatus.ACCEPTED)
