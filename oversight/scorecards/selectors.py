"""Reads for the scorecard pages: the stored figures (`figures`), never the records themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from projects.models import Project

from . import figures
from .measures import MEASURES, SIDES, Figure, Measure, Tally
from .quarters import Quarter


@dataclass(frozen=True)
class HealthRow:
    measure: Measure
    figures: list[Figure]


@dataclass(frozen=True)
class HealthGroup:
    """The measures about one side of the project: "The CDMO", "The sponsor" or "Both sides"."""

    key: str
    heading: str
    rows: list[HealthRow]


@dataclass(frozen=True)
class Health:
    quarters: list[Quarter]
    groups: list[HealthGroup]
    computed_at: dt.datetime | None

    @property
    def rows(self) -> list[HealthRow]:
        return [row for group in self.groups for row in group.rows]


def project_health(*, project: Project) -> Health:
    """The project's stored measures for this quarter and the four before it, this quarter first,
    grouped by the side each measure is about. A project whose figures were never stored (new,
    and the worker has not run yet) has them computed and stored now, once."""
    quarters = figures.window()
    tallies, computed_at = figures.stored_tallies(project=project, quarters=quarters)
    if not tallies:
        figures.refresh_projects([project.pk])
        tallies, computed_at = figures.stored_tallies(project=project, quarters=quarters)
    groups = []
    for side, heading in SIDES:
        rows = [
            HealthRow(
                measure,
                [
                    Figure(measure, quarter, tallies.get((measure.key, quarter), Tally()))
                    for quarter in quarters
                ],
            )
            for measure in MEASURES
            if measure.side == side
        ]
        if rows:
            groups.append(HealthGroup(side, heading, rows))
    return Health(quarters=quarters, groups=groups, computed_at=computed_at)
