"""The CDMO's side: no surprises. A slip the sponsor hears of in time can be planned around; one
they learn of on the day cannot.

The announcement is read from the forecast's own record (`MilestoneForecastChange`): every move
of a forecast goes through one service that refuses a move without a reason and tells the
sponsor's team, so a recorded move past the baseline is a slip announced, with its reason, at
the moment it was recorded. A re-baseline by an approved change request records its forecast
move too (the sponsor approved it, so they knew).

The notice owed is a term of the working agreement (`slip_notice_days`, calendar days): the
version in force at the end (UTC) of the milestone's baseline date, the day the notice was owed
against, read inside the measure's one query (`agreed.term_on`); 14 before any version came into
force (and what every version agreed before the notice was a term).
"""

from __future__ import annotations

import datetime as dt
import statistics
from itertools import groupby
from operator import itemgetter

from projects.agreed_targets import DEFAULT_NOTICE_DAYS
from projects.models import Milestone, MilestoneStatus

from ..quarters import utc_date
from .agreed import term_on
from .base import CDMO, Measure, Record, Records, Scope, n_days, records


def _slipped(
    status: str, baseline: dt.date, forecast: dt.date, actual: dt.date | None, today: dt.date
) -> bool:
    """Done after the baseline; or still open with a forecast past it, or past it already
    (an open milestone whose baseline date has gone cannot be done by then any more)."""
    if status == MilestoneStatus.DONE:
        return actual > baseline
    return max(forecast, today) > baseline


def _announced_on(baseline: dt.date, moves: list[tuple[dt.datetime, dt.date, dt.date]]) -> dt.date | None:
    """The day (UTC) the standing announcement of the slip was recorded: the last move of the
    forecast from on-or-before the baseline to past it, unless a later move brought it back on
    or before the baseline (then the slip that followed was not announced by that)."""
    announced = None
    for changed_at, old, new in moves:
        if old <= baseline < new:
            announced = utc_date(changed_at)
        elif new <= baseline:
            announced = None
    return announced


def _no_surprises(scope: Scope) -> Records:
    """Milestones (not cancelled) whose baseline date is in the quarters, with the notice agreed
    at their baseline date and their forecast moves, oldest first: one query (a milestone
    without moves comes as one row of Nones)."""
    found = records()
    today = utc_date(scope.now)
    rows = (
        Milestone.objects.filter(
            project_id__in=scope.ids, baseline_date__gte=scope.first_day, baseline_date__lte=scope.last_day
        )
        .exclude(status=MilestoneStatus.CANCELLED)
        .annotate(required=term_on("slip_notice_days", "baseline_date", DEFAULT_NOTICE_DAYS))
        .order_by("pk", "forecast_changes__changed_at", "forecast_changes__pk")
        .values_list(
            "pk",
            "project_id",
            "status",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "required",
            "forecast_changes__changed_at",
            "forecast_changes__old_forecast_date",
            "forecast_changes__new_forecast_date",
        )
    )
    for (pk, project_id, status, baseline, forecast, actual, required), moves in groupby(
        rows, key=itemgetter(0, 1, 2, 3, 4, 5, 6)
    ):
        quarter = scope.bucket(baseline)
        if quarter is None or not _slipped(status, baseline, forecast, actual, today):
            continue
        moves = [move[7:] for move in moves if move[7] is not None]
        announced = _announced_on(baseline, moves)
        notice = max(0, (baseline - announced).days) if announced is not None else 0
        kept = announced is not None and notice >= required
        record = Record(kept, (notice, len(moves)), ref=("milestone", pk), on=baseline, allowance=required)
        found[project_id, quarter].append(record)
    return found


def _notice_in_words(record: Record) -> str:
    """ "announced 9 days ahead; 10 were agreed; 1 forecast move"."""
    notice, moves = record.sample
    required = record.allowance
    if notice:
        told = f"announced {n_days(notice)} ahead"
    else:
        told = "no notice (not announced before the baseline date, or the announcement taken back)"
    agreed = "1 was agreed" if required == 1 else f"{required:g} were agreed"
    return f"{told}; {agreed}; {moves:g} forecast move{'' if moves == 1 else 's'}"


def _notice(samples) -> tuple[str, ...]:
    """Samples in pairs: (days of notice, forecast moves) of each slipped milestone."""
    notice, moves = samples[0::2], samples[1::2]
    if not notice:
        return ()
    return (
        f"median {statistics.median(notice):g} days' notice",
        f"{statistics.fmean(moves):.1f} forecast moves per milestone",
    )


NO_SURPRISES = Measure(
    "no_surprises",
    "No surprises",
    CDMO,
    "Of the milestones with a baseline date in the quarter that slipped (done after it, or still "
    "open with the forecast past it or the date gone), the share whose slip was announced at least "
    "the notice of the working agreement in force on the baseline date before it (calendar days; "
    f"{DEFAULT_NOTICE_DAYS} without one): the forecast moved past the baseline, with its "
    "reason, and not moved back since. A slip never announced has 0 days' notice. With the median "
    "days of notice and the forecast moves per slipped milestone; cancelled milestones are not "
    "counted.",
    ("slipped milestone", "slipped milestones"),
    compute=_no_surprises,
    describe=_notice,
    dated="Baseline date",
    verdicts=("announced in time", "a surprise"),
    explain=_notice_in_words,
)
