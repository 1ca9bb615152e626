"""Reads for the executives' side-by-side comparisons, from the stored roll-ups (`figures.roll_up`).

Who: the people who see every project of their organization (`User.sees_whole_organization`:
its admins and executives), the rule by which the executive dashboard shows "every program of"
the organization. A roll-up adds up every project of a relationship, so only someone who may
see all of them may see it; anyone else gets 404.

Tenancy is in the filter of each read, never in what a template leaves out: a sponsor's page
reads the `RelationshipFigure` rows whose sponsor is the viewer's organization (so a CDMO the
sponsor shares with others shows only this sponsor's projects with it), a CDMO's page the rows
whose CDMO it is; the project managers' comparison (`ManagerFigure`) is the CDMO's own and
answers a sponsor 404. The drill-down lists projects through `projects_visible_to`.

Each page is a fixed number of queries, whatever the number of columns or projects: a comparison
reads the roll-ups of the chosen quarter with the columns' names in one; the drill-down asks for
the counterparty with the number of shared projects, then reads one page of projects' figures and
the relationship's roll-up (three).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.utils.safestring import SafeString

from portal.core.fragments import html, plural
from portal.organizations.models import Organization, OrganizationKind
from projects.models import ProposalStatus
from projects.selectors import projects_visible_to

from .cells import figure_cell
from .measures import BY_KEY, COUNT, MEASURES, SIDES, Figure, Measure, Tally
from .models import ManagerFigure, ProjectFigure, RelationshipFigure
from .quarters import Quarter

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
    """One figure of one column (the column says over how many projects)."""

    figure: Figure
    column: Column
    sorted_by: bool = False

    @property
    def td(self) -> SafeString:
        projects = self.column.projects
        return figure_cell(
            self.figure,
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


def _comparison(kind: str, quarter: Quarter, rows, sort_key: str | None) -> Comparison:
    """Build the table from (column id, column name, measure, n, kept, samples, projects,
    computed_at) rows of one quarter's roll-ups."""
    names, counts, tallies, latest = {}, defaultdict(int), {}, None
    for column_id, name, measure, n, kept, samples, projects, computed_at in rows:
        names[column_id] = name
        counts[column_id] = max(counts[column_id], projects)
        tallies[column_id, measure] = Tally(n, kept, tuple(samples))
        latest = max(latest or computed_at, computed_at)
    columns = sorted(
        (Column(key, name, counts[key]) for key, name in names.items()), key=lambda c: (c.name.lower(), c.key)
    )

    def figure(measure: Measure, column: Column) -> Figure:
        return Figure(measure, quarter, tallies.get((column.key, measure.key), Tally()))

    def row(measure: Measure) -> Row:
        return Row(measure, [Cell(figure(measure, column), column, measure == sort) for column in columns])

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
        f"{other}_id", f"{other}__name", "measure", "n", "kept", "samples", "projects", "computed_at"
    )
    return _comparison(kind, quarter, rows, sort)


def managers(*, user, quarter: Quarter, sort: str | None = None) -> Comparison:
    """A CDMO's project managers side by side over `quarter`, each column the roll-up of the
    projects they manage. Internal to the CDMO: a sponsor (or anyone not its executive) gets 404."""
    require_executive(user)
    if user.organization.kind != OrganizationKind.CDMO:
        raise Http404("Project managers are compared by their own CDMO only.")
    rows = ManagerFigure.objects.filter(cdmo_id=user.organization_id, quarter=quarter.start).values_list(
        "manager_id", "manager__full_name", "measure", "n", "kept", "samples", "projects", "computed_at"
    )
    return _comparison(MANAGERS, quarter, rows, sort)


# The drill-down ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    id: int
    code: str
    name: str
    figures: list[Figure]  # one per measure, grouped by side (`_in_side_order`)

    @property
    def tds(self) -> SafeString:
        return html(figure_cell(figure) for figure in self.figures)


@dataclass(frozen=True)
class Relationship:
    counterparty: Organization
    quarter: Quarter
    projects: list[ProjectRow]  # one page of them
    together: list[Figure]  # every project of the relationship added up (its roll-up), per measure
    together_projects: int
    groups: list[tuple[str, list[Measure]]]  # (heading, measures), MEASURES order

    @property
    def together_tds(self) -> SafeString:
        return html(figure_cell(figure) for figure in self.together)


def _relationship_projects(user):
    """The projects the viewer may see that both sides accepted: what the roll-ups add up (a
    proposal, open or declined, is no project of the relationship yet)."""
    return projects_visible_to(user=user).filter(proposal_status=ProposalStatus.ACCEPTED)


def _theirs(user) -> str:
    return "cdmo_id" if user.organization.kind == OrganizationKind.SPONSOR else "sponsor_id"


def counterparty_of(*, user, organization_id: int) -> tuple[Organization, int]:
    """The organization across the table from the viewer's and how many projects with it the
    viewer may see, if any; Http404 otherwise (another sponsor, an unknown id, an organization of
    the viewer's own kind, one it has only proposals with). One query."""
    require_executive(user)
    theirs = _theirs(user)
    shared = (
        _relationship_projects(user)
        .filter(**{theirs: OuterRef("pk")})
        .order_by()
        .values(theirs)
        .annotate(count=Count("pk"))
        .values("count")
    )
    counterparty = (
        Organization.objects.filter(pk=organization_id)
        .annotate(shared=Subquery(shared))
        .filter(shared__gt=0)
        .first()
    )
    if counterparty is None:
        raise Http404("No relationship with this organization.")
    return counterparty, counterparty.shared


def relationship(
    *, user, counterparty: Organization, quarter: Quarter, start: int, stop: int
) -> Relationship:
    """Projects `start` to `stop` (by code) between the viewer's organization and `counterparty`
    that the viewer may see, with each one's stored figures over `quarter` (one query for the
    page), and the relationship's roll-up (one query). A project whose figures were never stored
    yet (new, untouched since) shows no row."""
    theirs = _theirs(user)
    page = _relationship_projects(user).filter(**{theirs: counterparty.pk}).order_by("code", "pk")
    found: dict[int, tuple[str, str]] = {}
    tallies: dict[tuple[int, str], Tally] = {}
    for project_id, code, name, measure, n, kept, samples in (
        ProjectFigure.objects.filter(project__in=page.values("pk")[start:stop], quarter=quarter.start)
        .order_by("project__code", "project_id")
        .values_list("project_id", "project__code", "project__name", "measure", "n", "kept", "samples")
    ):
        found[project_id] = (code, name)
        tallies[project_id, measure] = Tally(n, kept, tuple(samples))
    measures = _in_side_order()
    rows = [
        ProjectRow(
            project_id,
            code,
            name,
            [Figure(m, quarter, tallies.get((project_id, m.key), Tally())) for m in measures],
        )
        for project_id, (code, name) in found.items()
    ]
    pair = {"sponsor_id": user.organization_id, "cdmo_id": counterparty.pk}
    if theirs == "sponsor_id":
        pair = {"sponsor_id": counterparty.pk, "cdmo_id": user.organization_id}
    rolled, projects = {}, 0
    for measure, n, kept, samples, count in RelationshipFigure.objects.filter(
        **pair, quarter=quarter.start
    ).values_list("measure", "n", "kept", "samples", "projects"):
        rolled[measure] = Tally(n, kept, tuple(samples))
        projects = max(projects, count)
    together = [Figure(m, quarter, rolled.get(m.key, Tally())) for m in measures]
    groups = [(heading, [m for m in MEASURES if m.side == side]) for side, heading in SIDES]
    return Relationship(counterparty, quarter, rows, together, projects, [g for g in groups if g[1]])


def _in_side_order() -> list[Measure]:
    """The measures as the drill-down's columns show them: grouped by side, as `SIDES` orders."""
    return [m for side, _ in SIDES for m in MEASURES if m.side == side]
