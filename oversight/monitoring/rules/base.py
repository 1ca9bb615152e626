"""What every red-flag rule is: a kind, a subject model, a set-based `findings(now)`, and the
moments (`moments(now)`) at which its findings could change with time alone."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from projects.models import Project, ProjectStatus, ProposalStatus

from ..models import Severity

UPDATE_GRACE_DAYS = 2
# A forecast this many days past its baseline is a slip worth an executive's attention.
MILESTONE_SLIP_THRESHOLD_DAYS = 14
MILESTONE_SLIP_CRITICAL_DAYS = 45
# A condition "deadline < now" first holds this long after the deadline.
JUST_AFTER = dt.timedelta(microseconds=1)


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

    def moments(self, now: dt.datetime, project_ids=None) -> list[tuple[int, dt.datetime]]:
        """(project id, moment): the first instants at which `findings` could say something else
        about the project (a flag raised or cleared, a severity or an explanation changed) with
        nothing but time passing; those not after `now` are ignored. Set-based, like `findings`,
        and narrowed the same way. None here: the rule reads data only, no clock."""
        return []

    def scoped(self, queryset, project_ids, lookup: str | None = None):
        """`queryset` among projects both sides agreed on (a proposal is never flagged), narrowed
        to `project_ids` when given (None: every project). `lookup`: how `queryset` reaches the
        project, when not as the rule's main query does."""
        lookup = lookup or self.project_lookup
        project = "" if lookup == "pk" else lookup.removesuffix("_id") + "__"
        queryset = queryset.filter(**{f"{project}proposal_status": ProposalStatus.ACCEPTED})
        if project_ids is None:
            return queryset
        return queryset.filter(**{f"{lookup}__in": list(project_ids)})

    @classmethod
    def subject_type(cls) -> ContentType:
        return ContentType.objects.get_for_model(cls.subject_model)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def midnights() -> Callable[[dt.date], dt.datetime]:
    """day -> the first instant of that day in the current time zone (where `timezone.localdate`
    turns); one zone look-up and one datetime per distinct day, for rules with many rows."""
    zone = timezone.get_current_timezone()

    @functools.cache
    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=zone)

    return midnight


def active_projects():
    """Running projects: active and agreed by both sides (a proposal is never flagged)."""
    return Project.objects.filter(status=ProjectStatus.ACTIVE, proposal_status=ProposalStatus.ACCEPTED)
