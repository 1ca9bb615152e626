"""Reads for the scorecard pages."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core import clock
from projects.models import Project

from .measures import (
    Figure,
    Measure,
    cadence_kept,
    decisions_on_time,
    meeting_discipline,
    on_time_delivery,
    responsiveness,
)
from .quarters import Quarter, last_quarters, utc_date


@dataclass(frozen=True)
class HealthRow:
    measure: Measure
    figures: list[Figure]


@dataclass(frozen=True)
class HealthGroup:
    """The measures about one side of the project: "The CDMO" or "The sponsor"."""

    key: str
    heading: str
    rows: list[HealthRow]


@dataclass(frozen=True)
class Health:
    quarters: list[Quarter]
    groups: list[HealthGroup]

    @property
    def rows(self) -> list[HealthRow]:
        return [row for group in self.groups for row in group.rows]


def _rows(*computed: list[Figure]) -> list[HealthRow]:
    return [HealthRow(figures[0].measure, figures) for figures in computed]


def project_health(*, project: Project, quarters: int = 5) -> Health:
    """The project's measures for this quarter and the ones before it, this quarter first,
    grouped by the side each measure is about."""
    periods = last_quarters(utc_date(clock.now()), quarters)
    cdmo = _rows(
        on_time_delivery(project=project, quarters=periods),
        cadence_kept(project=project, quarters=periods),
        responsiveness(project=project, quarters=periods),
        meeting_discipline(project=project, quarters=periods),
    )
    sponsor = _rows(decisions_on_time(project=project, quarters=periods))
    return Health(
        quarters=periods,
        groups=[HealthGroup("cdmo", "The CDMO", cdmo), HealthGroup("sponsor", "The sponsor", sponsor)],
    )
