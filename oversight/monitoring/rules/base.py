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
    """`findings(now, project_ids=None)`: every current case, or only those of `project_ids` (the
    re-evaluation after a project's data changed runs the very same queries, narrowed)."""

    kind: str
    subject_model = Project
    # How the rule's main query reaches the project: "pk" when it reads projects themselves.
    project_lookup = "project_id"

    def findings(self, now: dt.datetime, project_ids=None) -> list[Finding]:  # pragma: no cover - interface
        raise NotImplementedError

    def scoped(self, queryset, project_ids):
        """`queryset` among projects both sides agreed on (a proposal is never flagged), narrowed
        to `project_ids` when given (None: every project)."""
        project = "" if self.project_lookup == "pk" else self.project_lookup.removesuffix("_id") + "__"
        queryset = queryset.filter(**{f"{project}proposal_status": ProposalStatus.ACCEPTED})
        if project_ids is None:
            return queryset
        return queryset.filter(**{f"{self.project_lookup}__in": list(project_ids)})

    @classmethod
    def subject_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls.subject_model)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def active_projects():
    """Running projects: active and agreed by both sides (a proposal is never flagged)."""
    return Project.objects.filter(status=ProjectStatus.ACTIVE, proposal_status=ProposalStatus.ACCEPTED)
