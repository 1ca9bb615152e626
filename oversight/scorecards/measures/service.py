"""The CDMO's side: service issues answered within the agreed times, and how many came back.

Each service issue carries its own clocks (`issues.models.ServiceIssue`): the acknowledgement
and the resolution-plan deadlines, counted in the CDMO's business hours from the agreement in
force when it was raised. A plan deadline restarts when the sponsor sends a plan back or reopens
the issue; `plan_breach_count` keeps every round's breach, so a restarted clock hides none.
"""

from __future__ import annotations

import statistics

from issues.models import ServiceIssue
from issues.models.log import AWAITING_PLAN

from ..quarters import utc_date
from .base import CDMO, Measure, Record, Records, Scope, n_hours, records

NOT_ACKNOWLEDGED = -1.0  # the hours sample of an issue not acknowledged (yet)


def _service_issues(scope: Scope) -> Records:
    """Issues raised in the quarter (UTC). Late: acknowledged after its deadline (or not yet, past
    it), or a plan deadline breached in any round, or a plan still owed past its deadline.
    Kept: acknowledged in time and a first plan proposed with no plan deadline breached. Still
    within its deadlines with something owed: not counted yet. Sample: (business hours to
    acknowledge, or -1; reopened, 1 or 0)."""
    found = records()
    rows = ServiceIssue.objects.filter(
        project_id__in=scope.ids, raised_at__gte=scope.starts_at, raised_at__lt=scope.ends_before
    ).values_list(
        "pk",
        "project_id",
        "raised_at",
        "status",
        "acknowledge_by",
        "acknowledged_at",
        "plan_by",
        "first_plan_proposed_at",
        "plan_breach_count",
        "hours_to_acknowledge",
        "reopened_count",
    )
    for (
        pk,
        project_id,
        raised_at,
        status,
        acknowledge_by,
        acknowledged_at,
        plan_by,
        first_plan,
        breaches,
        hours,
        reopened,
    ) in rows:
        quarter = scope.bucket(utc_date(raised_at))
        if quarter is None:
            continue
        acknowledged_late = (acknowledged_at or scope.now) > acknowledge_by
        plan_overdue = status in AWAITING_PLAN and plan_by < scope.now
        sample = (NOT_ACKNOWLEDGED if hours is None else hours, 1.0 if reopened else 0.0)
        ref, on = ("service_issue", pk), utc_date(raised_at)
        if acknowledged_late or breaches or plan_overdue:
            found[project_id, quarter].append(Record(False, sample, ref=ref, on=on))
        elif acknowledged_at is not None and first_plan is not None:
            found[project_id, quarter].append(Record(True, sample, ref=ref, on=on))
    return found


def _issue_in_words(record: Record) -> str:
    hours, reopened = record.sample
    if hours == NOT_ACKNOWLEDGED:
        words = "not acknowledged"
    else:
        words = f"acknowledged in {n_hours(hours).replace(' hour', ' business hour')}"
    return f"{words}; reopened" if reopened else words


def _service_details(samples) -> tuple[str, ...]:
    pairs = list(zip(samples[::2], samples[1::2], strict=True))
    hours = [h for h, _ in pairs if h != NOT_ACKNOWLEDGED]
    reopened = sum(1 for _, again in pairs if again)
    details = [f"median {statistics.median(hours):.1f} business hours to acknowledge"] if hours else []
    details.append(f"reopened {reopened} of {len(pairs)}")
    return tuple(details)


SERVICE_ISSUES = Measure(
    "service_issues",
    "Service issues answered in time",
    CDMO,
    "Of the service issues raised in the quarter, the share acknowledged and given a first "
    "resolution plan within the agreed times (the CDMO's business hours, from the agreement in "
    "force when raised), with no plan deadline breached in any round; the median business hours "
    "to acknowledge, and how many were reopened. An issue past a deadline with its answer still "
    "owed counts as late; one still within its deadlines is not counted yet.",
    ("service issue", "service issues"),
    compute=_service_issues,
    describe=_service_details,
    dated="Raised",
    explain=_issue_in_words,
)
