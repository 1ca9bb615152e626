"""Reads for the scorecard pages."""

from __future__ import annotations

from dataclasses import dataclass

from portal.core import clock
from projects.models import Project

from .measures import Figure, Measure, cadence_kept, on_time_delivery, responsiveness
from .quarters import Quarter, last_quarters, utc_date


@dataclass(frozen=True)
class HealthRow:
    measure: Measure
    figures: list[Figure]


@dataclass(frozen=True)
class Health:
    quarters: list[Quarter]
    rows: list[HealthRow]


def project_health(*, project: Project, quarters: int = 5) -> Health:
    """The project's measures for this quarter and the ones before it, this quarter first."""
    periods = last_quarters(utc_date(clock.now()), quarters)
    rows = [
        HealthRow(figures[0].measure, figures)
        for figures in (
            on_time_delivery(project=project, quarters=periods),
            cadence_kept(project=project, quarters=periods),
            responsiveness(project=project, quarters=periods),
        )
    ]
    return Health(quarters=periods, rows=rows)
