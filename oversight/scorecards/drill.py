"""Reads for the drill-downs behind the executives' comparisons: the projects of one relationship
(a column of "your CDMOs" or "your sponsors") and the projects of one project manager (a column of
"your project managers", internal to the CDMO).

Who: the comparisons' rule (`compare.require_executive`). The projects listed come through
`projects_visible_to`, accepted ones only (what the roll-ups add up); a counterparty the viewer's
organization has no such project with, or a person who manages none of them, is 404, so is a
project manager asked for by a sponsor.

Each page is a fixed number of queries, whatever the number of projects: one for the column (the
counterparty or the manager, with the number of projects), one for a page of projects' stored
figures, one for the column's roll-up and one for the targets that colour them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.safestring import SafeString

from portal.core.fragments import html
from portal.organizations.models import Organization, OrganizationKind
from projects.models import ProposalStatus, TeamRole
from projects.selectors import projects_visible_to

from .cells import figure_cell
from .compare import require_executive
from .measures import MEASURES, SIDES, Figure, Measure, Tally
from .models import ManagerFigure, ProjectFigure, RelationshipFigure
from .quarters import Quarter
from .targets import Targets, default, share_measures, targets_for


@dataclass(frozen=True)
class ProjectRow:
    id: int
    code: str
    name: str
    figures: list[Figure]  # one per measure, grouped by side (`in_side_order`)
    targets: dict[str, Targets]

    @property
    def tds(self) -> SafeString:
        return html(figure_cell(f, targets=self.targets.get(f.measure.key)) for f in self.figures)


@dataclass(frozen=True)
class Drill:
    """One column of a comparison opened up: its projects (one page) and all of them together."""

    column: object  # the counterparty Organization, or the project manager (a User)
    quarter: Quarter
    projects: list[ProjectRow]
    together: list[Figure]  # the column's roll-up, per measure
    together_projects: int
    groups: list[tuple[str, list[Measure]]]  # (heading, measures), MEASURES order
    targets: dict[str, Targets]  # what colours them, by measure key

    @property
    def together_tds(self) -> SafeString:
        return html(figure_cell(f, targets=self.targets.get(f.measure.key)) for f in self.together)


def in_side_order() -> list[Measure]:
    """The measures as the drill-down's columns show them: grouped by side, as `SIDES` orders."""
    return [m for side, _ in SIDES for m in MEASURES if m.side == side]


def _accepted_projects(user) -> QuerySet:
    """The projects the viewer may see that both sides accepted: what the roll-ups add up (a
    proposal, open or declined, is no project of the relationship yet)."""
    return projects_visible_to(user=user).filter(proposal_status=ProposalStatus.ACCEPTED)


def _counted(projects: QuerySet, column: str, **more) -> Subquery:
    """How many of `projects` have `column` = the outer row's pk (and `more`, in the same filter:
    one join for a member's user, role and removal)."""
    return Subquery(
        projects.filter(**{column: OuterRef("pk")}, **more)
        .order_by()
        .values(column)
        .annotate(count=Count("pk", distinct=True))
        .values("count")
    )


def _drill(column, quarter, page: QuerySet, rolled_up: QuerySet, targets, start, stop) -> Drill:
    """The page `start`..`stop` of `page` (projects, by code) with their stored figures over
    `quarter`, and the column's roll-up rows of that quarter (`rolled_up`)."""
    found: dict[int, tuple[str, str]] = {}
    tallies: dict[tuple[int, str], Tally] = {}
    for project_id, code, name, measure, n, kept, samples in (
        ProjectFigure.objects.filter(
            project__in=page.order_by("code", "pk").values("pk")[start:stop], quarter=quarter.start
        )
        .order_by("project__code", "project_id")
        .values_list("project_id", "project__code", "project__name", "measure", "n", "kept", "samples")
    ):
        found[project_id] = (code, name)
        tallies[project_id, measure] = Tally(n, kept, tuple(samples))
    measures = in_side_order()
    rows = [
        ProjectRow(
            project_id,
            code,
            name,
            [Figure(m, quarter, tallies.get((project_id, m.key), Tally())) for m in measures],
            targets,
        )
        for project_id, (code, name) in found.items()
    ]
    rolled, described, projects = {}, {}, 0
    for measure, n, kept, details, count in rolled_up.filter(quarter=quarter.start).values_list(
        "measure", "n", "kept", "details", "projects"
    ):
        rolled[measure], described[measure] = Tally(n, kept), tuple(details)
        projects = max(projects, count)
    together = [Figure(m, quarter, rolled.get(m.key, Tally()), described.get(m.key, ())) for m in measures]
    groups = [(heading, [m for m in MEASURES if m.side == side]) for side, heading in SIDES]
    return Drill(column, quarter, rows, together, projects, [g for g in groups if g[1]], targets)


# One relationship ------------------------------------------------------------------------------


def _theirs(user) -> str:
    return "cdmo_id" if user.organization.kind == OrganizationKind.SPONSOR else "sponsor_id"


def counterparty_of(*, user, organization_id: int) -> tuple[Organization, int]:
    """The organization across the table from the viewer's and how many projects with it the
    viewer may see, if any; Http404 otherwise (another sponsor, an unknown id, an organization of
    the viewer's own kind, one it has only proposals with). One query."""
    require_executive(user)
    theirs = _theirs(user)
    counterparty = (
        Organization.objects.filter(pk=organization_id)
        .annotate(shared=_counted(_accepted_projects(user), theirs))
        .filter(shared__gt=0)
        .first()
    )
    if counterparty is None:
        raise Http404("No relationship with this organization.")
    return counterparty, counterparty.shared


def relationship(*, user, counterparty: Organization, quarter: Quarter, start: int, stop: int) -> Drill:
    """Projects `start` to `stop` (by code) between the viewer's organization and `counterparty`
    that the viewer may see, with each one's stored figures over `quarter`, and the relationship's
    roll-up, coloured by the relationship's targets. A project whose figures were never stored yet
    (new, untouched since) shows no row."""
    theirs = _theirs(user)
    page = _accepted_projects(user).filter(**{theirs: counterparty.pk})
    pair = (user.organization_id, counterparty.pk)
    if theirs == "sponsor_id":
        pair = (counterparty.pk, user.organization_id)
    rolled_up = RelationshipFigure.objects.filter(sponsor_id=pair[0], cdmo_id=pair[1])
    targets = targets_for([pair])[pair]
    return _drill(counterparty, quarter, page, rolled_up, targets, start, stop)


# One project manager --------------------------------------------------------------------------


MANAGING = {"members__role": TeamRole.PROJECT_MANAGER, "members__removed_at__isnull": True}


def manager_of(*, user, manager_id: int) -> tuple:
    """The viewer's CDMO's person `manager_id` and how many of its accepted projects they manage
    now, if any; Http404 otherwise (a sponsor asking, someone of another organization, someone
    managing none). One query."""
    require_executive(user)
    if user.organization.kind != OrganizationKind.CDMO:
        raise Http404("Project managers are compared by their own CDMO only.")
    manager = (
        get_user_model()
        .objects.filter(pk=manager_id, organization_id=user.organization_id)
        .annotate(managed=_counted(_accepted_projects(user), "members__user_id", **MANAGING))
        .filter(managed__gt=0)
        .first()
    )
    if manager is None:
        raise Http404("Not a project manager of this organization.")
    return manager, manager.managed


def managed(*, user, manager, quarter: Quarter, start: int, stop: int) -> Drill:
    """Projects `start` to `stop` (by code) that `manager` manages now, with their stored figures
    over `quarter` and the manager's roll-up, coloured by the default targets (as the managers'
    comparison is: their programs span sponsors with targets of their own)."""
    page = _accepted_projects(user).filter(members__user_id=manager.pk, **MANAGING)
    rolled_up = ManagerFigure.objects.filter(cdmo_id=user.organization_id, manager_id=manager.pk)
    targets = {measure.key: default(measure.key) for measure in share_measures()}
    return _drill(manager, quarter, page, rolled_up, targets, start, stop)
