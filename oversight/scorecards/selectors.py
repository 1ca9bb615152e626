"""Reads for the scorecard pages: the stored figures (`figures`), never the records themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from projects.agreed_targets import DEFAULT_NOTICE_DAYS
from projects.models import Project

from . import figures
from .measures import MEASURES, SHARE, SIDES, Figure, Measure, Tally
from .quarters import Quarter
from .score import Score, overall
from .targets import Agreed, Band, Targets, agreed_now, judge, project_targets
from .trend import Trend, trend


@dataclass(frozen=True)
class Cell:
    figure: Figure
    band: Band | None  # None: too few records, or a count

    @property
    def display(self) -> str:
        return self.figure.display

    @property
    def evidence_label(self) -> str:
        """The accessible name of the figure's link to its records (the evidence page), starting
        with the figure as shown: "67 %, On-time delivery, Q3 2026: the 3 milestones counted"."""
        figure = self.figure
        counted = f"the {figure.n} {figure.measure.unit(figure.n)} counted" if figure.n else "nothing counted"
        return f"{figure.display}, {figure.measure.name}, {figure.quarter.label}: {counted}"


@dataclass(frozen=True)
class HealthRow:
    measure: Measure
    figures: list[Figure]
    targets: Targets | None = None  # a share measure's, as `targets` resolves them
    trend: Trend | None = None

    @property
    def cells(self) -> list[Cell]:
        return [
            Cell(figure, judge(figure.percent, self.targets) if self.targets else None)
            for figure in self.figures
        ]


@dataclass(frozen=True)
class HealthGroup:
    """The measures about one side of the project: "The CDMO", "The sponsor" or "Both sides"."""

    key: str
    heading: str
    rows: list[HealthRow]
    scores: list[Score]  # the side's overall score, quarter by quarter (empty: no share measure)

    @property
    def score(self) -> Score | None:
        return self.scores[0] if self.scores else None


@dataclass(frozen=True)
class Health:
    quarters: list[Quarter]
    groups: list[HealthGroup]
    computed_at: dt.datetime | None
    agreed: Agreed | None = None  # the scorecard terms of the working agreement in force

    @property
    def notice_days(self) -> int:
        """The notice of a slip No surprises asks for now: the agreement's, else the default."""
        return self.agreed.notice_days if self.agreed else DEFAULT_NOTICE_DAYS

    @property
    def rows(self) -> list[HealthRow]:
        return [row for group in self.groups for row in group.rows]


def project_health(*, project: Project) -> Health:
    """The project's stored measures for this quarter and the four before it, this quarter first,
    grouped by the side each measure is about, each share measure with the targets that apply
    (`targets.project_targets`: the working agreement's, else the counterpart's), its colours and
    its trend, and each side with its overall score (`score`). A project whose figures were never
    stored (new, and the worker has not run yet) has them computed and stored now, once. Three
    queries: the figures, the agreement in force, the organizations' targets (more the first
    time: the refresh)."""
    quarters = figures.window()
    tallies, computed_at = figures.stored_tallies(project=project, quarters=quarters)
    if not tallies:
        figures.refresh_projects([project.pk])
        tallies, computed_at = figures.stored_tallies(project=project, quarters=quarters)
    agreed = agreed_now(project)
    applying = project_targets(project, agreed)
    groups = []
    for side, heading in SIDES:
        rows = [
            _row(
                measure,
                [Figure(measure, q, tallies.get((measure.key, q), Tally())) for q in quarters],
                applying,
            )
            for measure in MEASURES
            if measure.side == side
        ]
        if rows:
            shares = [row for row in rows if row.targets]
            scores = [
                overall((row.figures[index], row.targets) for row in shares) for index in range(len(quarters))
            ]
            groups.append(HealthGroup(side, heading, rows, scores if shares else []))
    return Health(quarters=quarters, groups=groups, computed_at=computed_at, agreed=agreed)


def _row(measure: Measure, measured: list[Figure], applying: dict[str, Targets]) -> HealthRow:
    if measure.kind != SHARE:
        return HealthRow(measure, measured)
    targets = applying[measure.key]
    return HealthRow(measure, measured, targets, trend(measured, targets))
