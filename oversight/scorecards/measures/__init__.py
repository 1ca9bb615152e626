"""The scorecard's measures: what each one means, and its computation over projects' records.

Every figure is computed from the record, never typed. `compute(scope)` runs every measure over
a set of projects (one query each, `base`); the workers store what it says (`..figures`), and
the pages read the stored figures. A figure on fewer than `MIN_RECORDS` records says "too few to
measure" instead of a percentage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from portal.core import clock
from portal.core.business_time import BusinessCalendar
from projects.models import Project

from ..quarters import Quarter
from .actions import CDMO_ACTIONS, SPONSOR_ACTIONS
from .base import BOTH, CDMO, COUNT, MIN_RECORDS, SHARE, SPONSOR, Figure, Measure, ProjectFacts, Scope, Tally
from .communication import MEETING_DISCIPLINE, MINUTES_WITHIN_BUSINESS_DAYS, RESPONSIVENESS
from .decisions import DECISIONS_ON_TIME
from .delivery import CADENCE, ON_TIME, update_periods
from .engagement import DECISION_MAKER_PRESENT, MINUTES_CONFIRMED, UPDATES_ACKNOWLEDGED
from .recognition import RECOGNITION
from .service import SERVICE_ISSUES
from .surprises import NO_SURPRISES

# In the order the Health tab lists them, each under the side it is about.
MEASURES: tuple[Measure, ...] = (
    ON_TIME,
    NO_SURPRISES,
    CADENCE,
    RESPONSIVENESS,
    SERVICE_ISSUES,
    MEETING_DISCIPLINE,
    CDMO_ACTIONS,
    DECISIONS_ON_TIME,
    SPONSOR_ACTIONS,
    UPDATES_ACKNOWLEDGED,
    MINUTES_CONFIRMED,
    DECISION_MAKER_PRESENT,
    RECOGNITION,
)
BY_KEY = {measure.key: measure for measure in MEASURES}
SIDES = ((CDMO, "The CDMO"), (SPONSOR, "The sponsor"), (BOTH, "Both sides"))

__all__ = [
    "BY_KEY",
    "CADENCE",
    "CDMO_ACTIONS",
    "COUNT",
    "DECISIONS_ON_TIME",
    "DECISION_MAKER_PRESENT",
    "MEASURES",
    "MEETING_DISCIPLINE",
    "MINUTES_CONFIRMED",
    "MINUTES_WITHIN_BUSINESS_DAYS",
    "MIN_RECORDS",
    "NO_SURPRISES",
    "ON_TIME",
    "RECOGNITION",
    "RESPONSIVENESS",
    "SERVICE_ISSUES",
    "SHARE",
    "SIDES",
    "SPONSOR_ACTIONS",
    "Figure",
    "Measure",
    "Scope",
    "Tally",
    "UPDATES_ACKNOWLEDGED",
    "compute",
    "scope_of",
    "update_periods",
]


def scope_of(projects: Iterable[Project], quarters: list[Quarter], now: dt.datetime | None = None) -> Scope:
    """The scope of `projects` (with `sponsor` and `cdmo` loaded: each organization's business
    calendar is read from it)."""
    facts = {
        project.pk: ProjectFacts(
            id=project.pk,
            sponsor_id=project.sponsor_id,
            cdmo_id=project.cdmo_id,
            start_date=project.start_date,
            update_cadence_days=project.update_cadence_days,
            sponsor_calendar=BusinessCalendar.for_organization(project.sponsor),
            cdmo_calendar=BusinessCalendar.for_organization(project.cdmo),
        )
        for project in projects
    }
    return Scope(projects=facts, quarters=quarters, now=now or clock.now())


def compute(scope: Scope, measures: Iterable[Measure] = MEASURES) -> dict[tuple[int, str, Quarter], Tally]:
    """Every measure's tally for every project and quarter in `scope`, zero where nothing was
    counted (one query a measure, whatever the number of projects)."""
    tallies = {}
    for measure in measures:
        counted = measure.compute(scope)
        for project_id in scope.projects:
            for quarter in scope.quarters:
                tallies[project_id, measure.key, quarter] = Tally.of(counted.get((project_id, quarter), ()))
    return tallies
