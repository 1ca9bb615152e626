"""Reads for the executives' side-by-side comparisons, from the stored roll-ups (`figures.roll_up`).

Who: the people who see every project of their organization (`User.sees_whole_organization`:
its admins and executives), the rule by which the executive dashboard shows "every program of"
the organization. A roll-up adds up every project of a relationship, so only someone who may
see all of them may see it; anyone else gets 404.

Tenancy is in the filter of each read, never in what a template leaves out: a sponsor's page
reads the `RelationshipFigure` rows whose sponsor is the viewer's organization (so a CDMO the
sponsor shares with others shows only this sponsor's projects with it), a CDMO's page the rows
whose CDMO it is; the project managers' comparison (`ManagerFigure`) is the CDMO's own and
answers a sponsor 404. The drill-downs behind the columns are in `drill`.

Colours: a relationship's column is judged against the targets that apply to that sponsor and
CDMO (`targets.targets_for`, as on each of its projects' Health tabs, organization targets);
a project manager's against the defaults (`managers`).

Each page is a fixed number of queries, whatever the number of columns: a comparison reads the
roll-ups of the chosen quarter with the columns' names in one, and the columns' targets in one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils.safestring import SafeString

from portal.core.fragments import plural
from portal.organizations.models import OrganizationKind

from .cells import figure_cell
from .measures import BY_KEY, COUNT, MEASURES, SIDES, Figure, Measure, Tally
from .models import ManagerFigure, RelationshipFigure
from .quarters import Quarter
from .targets import Targets, default, share_measures, targets_for

SPONSORS, CDMOS, MANAGERS = "sponsors", "cdmos", "managers"


def may_compare(user) -> bool:
    """The executive dashboard's rule for "every program of the organization"."""
    return bool(getattr(user, "is_authenticated", False) and user.sees_whole_organization)


def require_executive(user) -> None:
    if not may_compare(user):
        raise Http404("Not an executive of an organization.")


# Quarters ------------------------------------------------------------------------------------


def quarter_param(quarter: Quarter) -> str:
    """The quarter as the page's query string names it: "2026-Q4"."""
    return f"{quarter.year}-Q{quarter.number}"


def chosen_quarter(value: str | None, quarters: list[Quarter]) -> tuple[Quarter, bool]:
    """The quarter `value` names among `quarters` (this quarter when it names none), and whether
    the value was understood (an empty value is: it asks for the default)."""
    if not value:
        return quarters[0], True
    for quarter in quarters:
        if quarter_param(quarter) == value.strip():
            return quarter, True
    return quarters[0], False


# The comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One side-by-side column: a counterparty organization, or a project manager."""

    key: int
    name: str
    projects: int


@dataclass(frozen=True)
class Cell:
    """One figure of one column (the column says over how many projects), judged against the
    targets that apply to the column (None: a count, which has none)."""

    figure: Figure
    column: Column
    sorted_by: bool = False
    targets: Targets | None = None

    @property
    def td(self) -> SafeString:
        projects = self.column.projects
        return figure_cell(
            self.figure,
            targets=self.targets,
            suffix=f"/ {projects} project{plural(projects)}",
            meter=True,
            sorted_by=self.sorted_by,
        )


@dataclass(frozen=True)
class Row:
    measure: Measure
    cells: list[Cell]  # one per column, in the columns' order


@dataclass(frozen=True)
class Group:
    key: str
    heading: str
    rows: list[Row]


@dataclass(frozen=True)
class Comparison:
    kind: str  # SPONSORS, CDMOS or MANAGERS: what the columns are
    quarter: Quarter
    columns: list[Column]
    groups: list[Group]
    sort: Measure | None
    computed_at: dt.datetime | None


def _rank(figure: Figure) -> tuple:
    """Best first: the highest share of records kept (a count: the most records); a figure on too
    few records after every measured one."""
    if figure.measure.kind == COUNT:
        return (0, -figure.n)
    if figure.too_few or figure.share is None:
        return (1, 0)
    return (0, -figure.share)


TargetsOf = Callable[[list[int]], dict[int, dict[str, Targets]]]


def _default_targets(keys: list[int]) -> dict[int, dict[str, Targets]]:
    """Every column judged against the defaults (the project managers': see `managers`)."""
    defaults = {measure.key: default(measure.key) for measure in share_measures()}
    return dict.fromkeys(keys, defaults)


def _comparison(kind: str, quarter: Quarter, rows, sort_key: str | None, targets_of: TargetsOf) -> Comparison:
    """Build the table from (column id, column name, measure, n, kept, details, projects,
    computed_at) rows of one quarter's roll-ups; `targets_of` gives each column's targets by
    measure key, for the columns' keys."""
    names, counts, tallies, described, latest = {}, defaultdict(int), {}, {}, None
    for column_id, name, measure, n, kept, details, projects, computed_at in rows:
        names[column_id] = name
        counts[column_id] = max(counts[column_id], projects)
        tallies[column_id, measure] = Tally(n, kept)
        described[column_id, measure] = tuple(details)
        latest = max(latest or computed_at, computed_at)
    columns = sorted(
        (Column(key, name, counts[key]) for key, name in names.items()), key=lambda c: (c.name.lower(), c.key)
    )

    def figure(measure: Measure, column: Column) -> Figure:
        key = column.key, measure.key
        return Figure(measure, quarter, tallies.get(key, Tally()), described.get(key, ()))

    targets = targets_of([column.key for column in columns]) if columns else {}

    def row(measure: Measure) -> Row:
        return Row(
            measure,
            [
                Cell(figure(measure, column), column, measure == sort, targets[column.key].get(measure.key))
                for column in columns
            ],
        )

    sort = BY_KEY.get(sort_key or "")
    if sort is not None:
        columns.sort(key=lambda column: _rank(figure(sort, column)))  # stable: by name within a rank
    groups = []
    for side, heading in SIDES:
        measures = [measure for measure in MEASURES if measure.side == side]
        if measures:
            groups.append(Group(side, heading, [row(m) for m in measures]))
    return Comparison(kind, quarter, columns, groups, sort, latest)


def counterparties(*, user, quarter: Quarter, sort: str | None = None) -> Comparison:
    """A sponsor's CDMOs, or a CDMO's sponsors, side by side over `quarter`: each column the
    roll-up of the viewer's organization's projects with that counterparty. One query."""
    require_executive(user)
    organization_id = user.organization_id
    if user.organization.kind == OrganizationKind.SPONSOR:
        kind, mine, other = CDMOS, "sponsor_id", "cdmo"
    else:
        kind, mine, other = SPONSORS, "cdmo_id", "sponsor"
    rows = RelationshipFigure.objects.filter(**{mine: organization_id}, quarter=quarter.start).values_list(
        f"{other}_id", f"{other}__name", "measure", "n", "kept", "details", "projects", "computed_at"
    )

    def pair_targets(keys: list[int]) -> dict[int, dict[str, Targets]]:
        pairs = {key: (organization_id, key) if kind == CDMOS else (key, organization_id) for key in keys}
        resolved = targets_for(pairs.values())
        return {key: resolved[pair] for key, pair in pairs.items()}

    return _comparison(kind, quarter, rows, sort, pair_targets)


def managers(*, user, quarter: Quarter, sort: str | None = None) -> Comparison:
    """A CDMO's project managers side by side over `quarter`, each column the roll-up of the
    projects they manage. Internal to the CDMO: a sponsor (or anyone not its executive) gets 404.
    Colours are against the default targets: a manager's programs span sponsors, each with targets
    of its own, so no one sponsor's would be fair to the others'."""
    require_executive(user)
    if user.organization.kind != OrganizationKind.CDMO:
        raise Http404("Project managers are compared by their own CDMO only.")
    rows = ManagerFigure.objects.filter(cdmo_id=user.organization_id, quarter=quarter.start).values_list(
        "manager_id", "manager__full_name", "measure", "n", "kept", "details", "projects", "computed_at"
    )
    return _comparison(MANAGERS, quarter, rows, sort, _default_targets)
