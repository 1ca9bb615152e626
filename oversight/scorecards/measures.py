"""The scorecard's measures: what each one means, and its computation over a project's records.

Every figure is computed from the record, never typed. Each measure reads its rows for all the
quarters shown with one query (only the columns it needs) and buckets them in Python, so the
Health page costs the same number of queries for 2 milestones or 2,000 (decisions on time reads
its two kinds of request with one UNION ALL). The cadence measure also
asks which working agreement was in force at the end of each quarter (one query per quarter).
A figure on fewer than `MIN_RECORDS` records says "too few to measure" instead of a percentage.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from meetings.models import Meeting
from meetings.models.meetings import HELD_STATUSES
from portal.core import clock
from portal.core.business_time import BusinessCalendar
from projects.models import (
    ChangeRequest,
    ChangeStatus,
    CommentKind,
    DecisionRequest,
    DecisionStatus,
    Milestone,
    MilestoneStatus,
    Project,
    Side,
    StatusUpdate,
    UpdateComment,
)
from projects.selectors import agreement_in_force

from .quarters import Quarter, bucket, utc_date

MIN_RECORDS = 3


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    definition: str


ON_TIME = Measure(
    "on_time",
    "On-time delivery",
    "Of the milestones completed in the quarter, the share whose actual date is on or before its "
    "baseline date; slip is the actual date minus the baseline date in days (an early or on-time "
    "milestone counts as 0).",
)
CADENCE = Measure(
    "cadence",
    "Cadence kept",
    "Of the update periods due in the quarter (up to yesterday), the share with a status update "
    "published by the due date. The next update is due one cadence after the last one was "
    "published (the first, one cadence after the project's start; after a missed period, one "
    "cadence after its due date); the cadence is the working agreement's at the quarter's end, "
    "else the project's.",
)
RESPONSIVENESS = Measure(
    "responsiveness",
    "Responsiveness",
    "Of the sponsor's questions on status updates asked in the quarter and answered, the share "
    "answered by their respond-by time, and the median time to answer in hours; questions still "
    "open are not counted.",
)
MINUTES_WITHIN_BUSINESS_DAYS = 2
MEETING_DISCIPLINE = Measure(
    "meeting_discipline",
    "Meeting discipline",
    "Of the meetings the CDMO ran and held in the quarter (by their start, UTC), the share whose "
    f"minutes were sent within {MINUTES_WITHIN_BUSINESS_DAYS} business days of the meeting's end, "
    "counted in the CDMO's working hours (09:00–17:00 in its main site's time zone, Monday to "
    "Friday, without its country's public holidays), and the median hours from the meeting's end "
    "to its minutes. A held meeting whose minutes are still not sent after "
    f"{MINUTES_WITHIN_BUSINESS_DAYS} business days counts as late; cancelled meetings are not "
    "counted.",
)
DECISIONS_ON_TIME = Measure(
    "decisions_on_time",
    "Decisions on time",
    "Of the decision requests and change requests needed by a date in the quarter and decided "
    "(approved or rejected), the share decided on or before that date, and the median days late "
    "among the late ones. A request still open after its needed-by date counts as late (days late "
    "so far); withdrawn requests are not counted.",
)
# Who each measure is about: the CDMO's delivery and communication, the sponsor's decisions.
CDMO_MEASURES = (ON_TIME, CADENCE, RESPONSIVENESS, MEETING_DISCIPLINE)
SPONSOR_MEASURES = (DECISIONS_ON_TIME,)
MEASURES = CDMO_MEASURES + SPONSOR_MEASURES


@dataclass(frozen=True)
class Figure:
    """One measure over one quarter: the share (0..1), on how many records, and its details."""

    measure: Measure
    quarter: Quarter
    n: int
    unit: str
    share: float | None = None
    details: tuple[str, ...] = field(default=())

    @property
    def too_few(self) -> bool:
        return self.n < MIN_RECORDS

    @property
    def display(self) -> str:
        if self.too_few or self.share is None:
            return "too few to measure"
        return f"{int(self.share * 100 + 0.5)} %"  # half up: 12.5 % shows as 13 %

    @property
    def n_label(self) -> str:
        return f"n = {self.n} {self.unit}"


def _share(kept: int, total: int) -> float | None:
    return kept / total if total else None


def _units(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _per_quarter(measure, quarters, records, units: tuple[str, str], kept, details) -> list[Figure]:
    """One figure a quarter from `records` ({quarter: [record]}): the share of records `kept`,
    `details(records)` only once there are enough of them to measure."""
    figures = []
    for quarter in quarters:
        rows = records[quarter]
        n = len(rows)
        figures.append(
            Figure(
                measure,
                quarter,
                n,
                _units(n, *units),
                _share(sum(1 for row in rows if kept(row)), n),
                details(rows) if n >= MIN_RECORDS else (),
            )
        )
    return figures


# --- On-time delivery ----------------------------------------------------------------------------


def on_time_delivery(*, project: Project, quarters: list[Quarter]) -> list[Figure]:
    rows = Milestone.objects.filter(
        project=project,
        status=MilestoneStatus.DONE,
        actual_date__gte=min(q.start for q in quarters),
        actual_date__lte=max(q.end for q in quarters),
    ).values_list("actual_date", "baseline_date")
    slips: dict[Quarter, list[int]] = defaultdict(list)
    for actual, baseline in rows:
        quarter = bucket(quarters, actual)
        if quarter is not None:
            slips[quarter].append(max(0, (actual - baseline).days))
    return _per_quarter(
        ON_TIME,
        quarters,
        slips,
        ("milestone", "milestones"),
        kept=lambda slip: slip == 0,
        details=lambda days: (f"mean slip {statistics.fmean(days):.1f} days", f"worst slip {max(days)} days"),
    )


# --- Cadence kept --------------------------------------------------------------------------------


def cadence_in_force(*, project: Project, quarter: Quarter, now: dt.datetime) -> int:
    """The update cadence (days) at the quarter's end (or now, for the quarter under way)."""
    agreement = agreement_in_force(project=project, at=min(quarter.ends_before(), now))
    return agreement.update_cadence_days if agreement is not None else project.update_cadence_days


def update_periods(
    *, start: dt.date, cadence: int, published: list[dt.date], today: dt.date
) -> list[tuple[dt.date, bool]]:
    """(due date, kept) for each update period whose due date is before `today`.

    The first is due `cadence` days after `start`; a publication on or before the due date keeps the
    period and the next is due `cadence` days after that publication; a missed period is followed
    by one due `cadence` days after the missed due date. `published` is sorted.
    """
    periods = []
    due = start + dt.timedelta(days=cadence)
    index = 0
    while due < today:
        # Publications before the period began were already counted.
        if index < len(published) and published[index] <= due:
            periods.append((due, True))
            due = published[index] + dt.timedelta(days=cadence)
            index += 1
        else:
            periods.append((due, False))
            due += dt.timedelta(days=cadence)
    return periods


def cadence_kept(*, project: Project, quarters: list[Quarter]) -> list[Figure]:
    now = clock.now()
    today = utc_date(now)
    published = sorted(
        utc_date(at)
        for at in StatusUpdate.objects.filter(
            project=project, revision_of__isnull=True, published_at__isnull=False
        ).values_list("published_at", flat=True)
    )
    figures = []
    for quarter in quarters:
        cadence = cadence_in_force(project=project, quarter=quarter, now=now)
        periods = [
            kept
            for due, kept in update_periods(
                start=project.start_date, cadence=cadence, published=published, today=today
            )
            if quarter.contains(due)
        ]
        n = len(periods)
        figures.append(
            Figure(
                CADENCE,
                quarter,
                n,
                _units(n, "update period", "update periods"),
                _share(sum(periods), n),
                (f"every {cadence} days",),
            )
        )
    return figures


# --- Responsiveness ------------------------------------------------------------------------------


def responsiveness(*, project: Project, quarters: list[Quarter]) -> list[Figure]:
    rows = UpdateComment.objects.filter(
        update__project=project,
        kind=CommentKind.QUESTION,
        is_internal=False,
        author__organization_id=project.sponsor_id,
        answered_at__isnull=False,
        created_at__gte=min(q.starts_at() for q in quarters),
        created_at__lt=max(q.ends_before() for q in quarters),
    ).values_list("created_at", "answered_at", "respond_by")
    answers: dict[Quarter, list[tuple[float, bool]]] = defaultdict(list)
    for asked, answered, respond_by in rows:
        quarter = bucket(quarters, utc_date(asked))
        if quarter is not None:
            hours = (answered - asked).total_seconds() / 3600
            answers[quarter].append((hours, answered <= respond_by))
    return _per_quarter(
        RESPONSIVENESS,
        quarters,
        answers,
        ("answered question", "answered questions"),
        kept=lambda answer: answer[1],
        details=lambda rows: (f"median answer {statistics.median(h for h, _ in rows):.1f} hours",),
    )


# --- Meeting discipline -------------------------------------------------------------------------


def meeting_discipline(*, project: Project, quarters: list[Quarter]) -> list[Figure]:
    """Meetings run by the CDMO and held (minutes in draft, sent or confirmed), by the UTC
    quarter of their start. Sent: `minutes_sent_at` (after a correction, the last sending). Still
    in draft past the deadline: late. Still in draft within it: not counted yet."""
    now = clock.now()
    calendar = BusinessCalendar.for_organization(project.cdmo)
    rows = Meeting.objects.filter(
        project=project,
        organizer_side=Side.CDMO,
        status__in=HELD_STATUSES,
        starts_at__gte=min(q.starts_at() for q in quarters),
        starts_at__lt=max(q.ends_before() for q in quarters),
    ).values_list("starts_at", "duration_minutes", "minutes_sent_at")
    # (hours from the end to the minutes, or None if not sent yet; sent in time)
    meetings: dict[Quarter, list[tuple[float | None, bool]]] = defaultdict(list)
    for starts_at, duration, sent_at in rows:
        quarter = bucket(quarters, utc_date(starts_at))
        if quarter is None:
            continue
        ends_at = starts_at + dt.timedelta(minutes=duration)
        deadline = calendar.add_business_days(ends_at, MINUTES_WITHIN_BUSINESS_DAYS)
        if sent_at is not None:
            meetings[quarter].append(((sent_at - ends_at).total_seconds() / 3600, sent_at <= deadline))
        elif deadline < now:
            meetings[quarter].append((None, False))
    return _per_quarter(
        MEETING_DISCIPLINE,
        quarters,
        meetings,
        ("meeting", "meetings"),
        kept=lambda meeting: meeting[1],
        details=_minutes_details,
    )


def _minutes_details(rows) -> tuple[str, ...]:
    hours = [h for h, _ in rows if h is not None]
    return (f"median {statistics.median(hours):.1f} hours to minutes",) if hours else ()


# --- Decisions on time (the sponsor's side) -------------------------------------------------------


def decisions_on_time(*, project: Project, quarters: list[Quarter]) -> list[Figure]:
    """Decision requests (raised by status updates) and change requests, by needed-by quarter.

    Decided: approved or rejected (a decision request's `decided`; a change request's `approved`
    or `rejected`, not `withdrawn`, which also sets `decided_at`). Still open and past its
    needed-by date (before today, UTC): late by the days so far."""
    today = utc_date(clock.now())
    first, last = min(q.start for q in quarters), max(q.end for q in quarters)

    def due(model, decided: list[str], open_: str):
        return (
            model.objects.filter(project=project, needed_by__gte=first, needed_by__lte=last)
            .filter(Q(status__in=decided) | Q(status=open_, needed_by__lt=today))
            .order_by()
            .values_list("needed_by", "decided_at")
        )

    rows = due(DecisionRequest, [DecisionStatus.DECIDED], DecisionStatus.OPEN).union(
        due(ChangeRequest, [ChangeStatus.APPROVED, ChangeStatus.REJECTED], ChangeStatus.PROPOSED),
        all=True,  # two requests due the same day and decided the same moment are two requests
    )
    late_by: dict[Quarter, list[int]] = defaultdict(list)
    for needed_by, decided_at in rows:
        quarter = bucket(quarters, needed_by)
        if quarter is not None:
            answered = utc_date(decided_at) if decided_at is not None else today
            late_by[quarter].append(max(0, (answered - needed_by).days))
    return _per_quarter(
        DECISIONS_ON_TIME,
        quarters,
        late_by,
        ("request", "requests"),
        kept=lambda days_late: days_late == 0,
        details=_lateness_details,
    )


def _lateness_details(days) -> tuple[str, ...]:
    late = [d for d in days if d > 0]
    return (f"median {statistics.median(late):.1f} days late" if late else "none late",)
