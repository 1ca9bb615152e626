"""The CDMO's delivery: milestones on time, and status updates at the agreed rhythm."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from projects.models import (
    AgreementStatus,
    Milestone,
    MilestoneStatus,
    Project,
    StatusUpdate,
    WorkingAgreement,
)

from ..quarters import Quarter, utc_date
from .agreed import term_on
from .base import CDMO, Measure, Record, Records, Scope, n_days, records

# --- On-time delivery ----------------------------------------------------------------------------


def _tolerance_at_completion():
    """The on-time tolerance (calendar days) of the working agreement version in force at the end
    of the milestone's actual date (UTC), read inside the milestones' one query (`agreed.term_on`).
    0 before any version came into force."""
    return term_on("on_time_tolerance_days", "actual_date", 0)


def _on_time(scope: Scope) -> Records:
    found = records()
    rows = (
        Milestone.objects.filter(
            project_id__in=scope.ids,
            status=MilestoneStatus.DONE,
            actual_date__gte=scope.first_day,
            actual_date__lte=scope.last_day,
        )
        .annotate(tolerance=_tolerance_at_completion())
        .values_list("pk", "project_id", "actual_date", "baseline_date", "tolerance")
    )
    for pk, project_id, actual, baseline, tolerance in rows:
        quarter = scope.bucket(actual)
        if quarter is not None:
            # On time within the agreed tolerance; the slip is still counted from the baseline.
            late_by = (actual - baseline).days
            found[project_id, quarter].append(
                Record(
                    late_by <= tolerance,
                    max(0, late_by),
                    ref=("milestone", pk),
                    on=actual,
                    allowance=tolerance,
                )
            )
    return found


def _slip(record: Record) -> str:
    if not record.sample:
        return "no slip"
    slip = f"slip {n_days(record.sample)}"
    if record.allowance:
        within = "within" if record.kept else "beyond"
        return f"{slip}, {within} the agreed tolerance of {n_days(record.allowance)}"
    return slip


def _slips(days) -> tuple[str, ...]:
    return (f"mean slip {statistics.fmean(days):.1f} days", f"worst slip {max(days):.0f} days")


ON_TIME = Measure(
    "on_time",
    "On-time delivery",
    CDMO,
    "Of the milestones completed in the quarter, the share whose actual date is on or before its "
    "baseline date plus the tolerance in calendar days of the working agreement in force on the "
    "actual date (0 without one); slip is the actual date minus the baseline date in days (an "
    "early or on-time milestone counts as 0), whatever the tolerance.",
    ("milestone", "milestones"),
    compute=_on_time,
    describe=_slips,
    dated="Completed",
    explain=_slip,
)


# --- Cadence kept --------------------------------------------------------------------------------


def update_periods(
    *, start: dt.date, cadence: int, published: list[dt.date], today: dt.date
) -> list[tuple[dt.date, bool]]:
    """(due date, kept) for each update period whose due date is before `today`.

    The first is due `cadence` days after `start`; a publication on or before the due date keeps the
    period and the next is due `cadence` days after that publication; a missed period is followed
    by one due `cadence` days after the missed due date. `published` is sorted.
    """
    return [(due, kept_by is not None) for due, kept_by in _periods(start, cadence, published, today)]


def _periods(start: dt.date, cadence: int, published: list[dt.date], today: dt.date):
    """`update_periods`, each with the index in `published` of the publication that kept it
    (None: missed), for the evidence of a kept period."""
    periods = []
    due = start + dt.timedelta(days=cadence)
    index = 0
    while due < today:
        # Publications before the period began were already counted.
        if index < len(published) and published[index] <= due:
            periods.append((due, index))
            due = published[index] + dt.timedelta(days=cadence)
            index += 1
        else:
            periods.append((due, None))
            due += dt.timedelta(days=cadence)
    return periods


def cadences_in_force(scope: Scope) -> dict[tuple[int, Quarter], int]:
    """The update cadence (days) of each project at each quarter's end (or now, for the quarter
    under way): the working agreement's in force then; before any, the project's own setting as
    it was then (its history: a later agreement coming into force rewrites the live setting).
    Two queries for all the projects."""
    versions = defaultdict(list)
    for project_id, effective_from, superseded_at, cadence in (
        WorkingAgreement.objects.filter(
            project_id__in=scope.ids,
            status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED],
            effective_from__isnull=False,
        )
        .order_by("-effective_from")
        .values_list("project_id", "effective_from", "superseded_at", "update_cadence_days")
    ):
        versions[project_id].append((effective_from, superseded_at, cadence))
    settings = defaultdict(list)  # oldest first
    for project_id, at, cadence in (
        Project.pgh_event_model.objects.filter(pgh_obj_id__in=scope.ids)
        .order_by("pgh_obj_id", "pgh_created_at", "pgh_id")
        .values_list("pgh_obj_id", "pgh_created_at", "update_cadence_days")
    ):
        settings[project_id].append((at, cadence))
    cadences = {}
    for project_id, facts in scope.projects.items():
        for quarter in scope.quarters:
            at = min(quarter.ends_before(), scope.now)
            agreed = next(
                (
                    cadence
                    for effective_from, superseded_at, cadence in versions[project_id]
                    if effective_from <= at and (superseded_at is None or superseded_at > at)
                ),
                None,
            )
            cadences[project_id, quarter] = agreed or _setting_at(
                settings[project_id], at, facts.update_cadence_days
            )
    return cadences


def _setting_at(history: list[tuple[dt.datetime, int]], at: dt.datetime, current: int) -> int:
    """The project's cadence setting at `at`: its last recorded value by then, else the value it
    was created with (a project recorded later than `at`), else today's."""
    earlier = [cadence for recorded, cadence in history if recorded <= at]
    if earlier:
        return earlier[-1]
    return history[0][1] if history else current


def _cadence(scope: Scope) -> Records:
    found = records()
    today = utc_date(scope.now)
    published = defaultdict(list)
    updates = defaultdict(list)  # the updates' ids, in step with `published`
    for pk, project_id, at in (
        StatusUpdate.objects.filter(
            project_id__in=scope.ids, revision_of__isnull=True, published_at__isnull=False
        )
        .order_by("published_at")
        .values_list("pk", "project_id", "published_at")
    ):
        published[project_id].append(utc_date(at))
        updates[project_id].append(pk)
    cadences = cadences_in_force(scope)
    for project_id, facts in scope.projects.items():
        # The periods since the start, by quarter, once per cadence the quarters have (mostly one).
        by_cadence: dict[int, dict[Quarter, list]] = {}
        for quarter in scope.quarters:
            cadence = cadences[project_id, quarter]
            if cadence not in by_cadence:
                by_cadence[cadence] = grouped = defaultdict(list)
                for due, kept_by in _periods(facts.start_date, cadence, published[project_id], today):
                    grouped[Quarter.of(due)].append((due, kept_by))
            for due, kept_by in by_cadence[cadence].get(quarter, ()):
                ref = None if kept_by is None else ("update", updates[project_id][kept_by])
                found[project_id, quarter].append(Record(kept_by is not None, cadence, ref=ref, on=due))
    return found


def _period(record: Record) -> str:
    cadence = f"cadence {n_days(record.sample)}"
    return cadence if record.kept else f"no update published by the due date; {cadence}"


def _rhythm(cadences) -> tuple[str, ...]:
    low, high = int(min(cadences)), int(max(cadences))
    return (f"every {low} days" if low == high else f"every {low}–{high} days",)


CADENCE = Measure(
    "cadence",
    "Cadence kept",
    CDMO,
    "Of the update periods due in the quarter (up to yesterday), the share with a status update "
    "published by the due date. The next update is due one cadence after the last one was "
    "published (the first, one cadence after the project's start; after a missed period, one "
    "cadence after its due date); the cadence is the working agreement's at the quarter's end, "
    "else the project's setting then.",
    ("update period", "update periods"),
    compute=_cadence,
    describe=_rhythm,
    dated="Due",
    verdicts=("kept", "missed"),
    explain=_period,
)
