"""The sponsor's side: decisions made by the date the CDMO needed them."""

from __future__ import annotations

import statistics

from django.db.models import CharField, Q, Value

from projects.models import ChangeRequest, ChangeStatus, DecisionRequest, DecisionStatus

from ..quarters import utc_date
from .actions import late_by
from .base import SPONSOR, Measure, Record, Records, Scope, records


def _decisions_on_time(scope: Scope) -> Records:
    """Decision requests (raised by status updates) and change requests, by needed-by quarter.

    Decided: approved or rejected (a decision request's `decided`; a change request's `approved`
    or `rejected`, not `withdrawn`, which also sets `decided_at`). Still open and past its
    needed-by date (before today, UTC): late by the days so far."""
    found = records()
    today = utc_date(scope.now)

    def due(model, kind: str, decided: list[str], open_: str):
        return (
            model.objects.filter(
                project_id__in=scope.ids, needed_by__gte=scope.first_day, needed_by__lte=scope.last_day
            )
            .filter(Q(status__in=decided) | Q(status=open_, needed_by__lt=today))
            .order_by()
            # Which table each row is from, as a constant column: the evidence links to it.
            .annotate(kind=Value(kind, output_field=CharField()))
            .values_list("kind", "pk", "project_id", "needed_by", "decided_at")
        )

    rows = due(DecisionRequest, "decision", [DecisionStatus.DECIDED], DecisionStatus.OPEN).union(
        due(ChangeRequest, "change", [ChangeStatus.APPROVED, ChangeStatus.REJECTED], ChangeStatus.PROPOSED),
        all=True,  # two requests due the same day and decided the same moment are two requests
    )
    for kind, pk, project_id, needed_by, decided_at in rows:
        quarter = scope.bucket(needed_by)
        if quarter is not None:
            answered = utc_date(decided_at) if decided_at is not None else today
            days_late = max(0, (answered - needed_by).days)
            record = Record(days_late == 0, days_late, ref=(kind, pk), on=needed_by)
            found[project_id, quarter].append(record)
    return found


def _lateness(days) -> tuple[str, ...]:
    late = [d for d in days if d > 0]
    return (f"median {statistics.median(late):.1f} days late" if late else "none late",)


DECISIONS_ON_TIME = Measure(
    "decisions_on_time",
    "Decisions on time",
    SPONSOR,
    "Of the decision requests and change requests needed by a date in the quarter and decided "
    "(approved or rejected), the share decided on or before that date, and the median days late "
    "among the late ones. A request still open after its needed-by date counts as late (days late "
    "so far); withdrawn requests are not counted.",
    ("request", "requests"),
    compute=_decisions_on_time,
    describe=_lateness,
    dated="Needed by",
    explain=late_by,
)
