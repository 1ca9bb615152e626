"""Keeping the stored figures: a project's, after it changes; every project's, nightly; and the
roll-ups over relationships and project managers, hourly (`models`).

Set-based throughout: projects are refreshed in chunks of `CHUNK`, each chunk one query a
measure, written with one upsert; a roll-up reads the project figures once and writes its rows
with one insert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection, transaction

from oversight.monitoring.attention import refresh_attention
from portal.core import clock
from projects.models import Project, ProjectMember, ProposalStatus, TeamRole

from .measures import BY_KEY, MEASURES, SHARE, Figure, Tally, compute, scope_of
from .models import ManagerFigure, ProjectFigure, ProjectTrend, RelationshipFigure
from .quarters import Quarter, last_quarters, utc_date
from .trend import FALLING, word

QUARTERS_KEPT = 5  # this quarter and the four before: what the pages show
CHUNK = 500
LOCK = 7515  # the advisory lock space of a project's figures (pg_advisory_xact_lock(LOCK, id))


def window(now: dt.datetime | None = None) -> list[Quarter]:
    return last_quarters(utc_date(now or clock.now()), QUARTERS_KEPT)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = iter(ids)
    while chunk := list(islice(ids, CHUNK)):
        yield chunk


def refresh_projects(project_ids: Iterable[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Recompute and store every measure of these projects (every project with None) over the
    window's quarters. Returns how many figures it wrote. Safe to run again: an upsert."""
    now = now or clock.now()
    quarters = window(now)
    if project_ids is None:
        project_ids = Project.objects.order_by("pk").values_list("pk", flat=True).iterator()
    written = 0
    for chunk in _chunks(sorted(set(project_ids))):
        with transaction.atomic():
            written += _refresh_chunk(chunk, quarters, now)
    return written


def _refresh_chunk(chunk: list[int], quarters: list[Quarter], now: dt.datetime) -> int:
    # Two refreshes of one project take turns: the second waits, then reads (a new statement,
    # a new snapshot) what the first saw or later, so an older computation never lands last.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) id ORDER BY id", [LOCK, chunk]
        )
    projects = Project.objects.filter(pk__in=chunk).select_related("sponsor", "cdmo")
    scope = scope_of(projects, quarters, now)
    tallies = compute(scope, MEASURES)
    _upsert(tallies, now)
    _store_trends(scope, tallies, now)
    return len(tallies)


def _upsert(tallies: dict, now: dt.datetime) -> None:
    """Every tally of the chunk in one statement: the columns sent as arrays and unnested, the
    samples as array literals (ragged, so one text a row). A `bulk_create` of the same rows spent
    two thirds of the nightly refresh compiling 32,500 rows of SQL."""
    table = connection.ops.quote_name(ProjectFigure._meta.db_table)
    columns = ([], [], [], [], [], [])
    for (project_id, key, quarter), tally in tallies.items():
        for column, value in zip(
            columns,
            (project_id, key, quarter.start, tally.n, tally.kept, _array_literal(tally.samples)),
            strict=True,
        ):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (project_id, measure, quarter, n, kept, samples, computed_at) "
            "SELECT p, m, q, n, k, s::double precision[], %s "
            "FROM unnest(%s::int[], %s::text[], %s::date[], %s::int[], %s::int[], %s::text[]) AS t(p, m, q, n, k, s) "
            "ON CONFLICT (project_id, measure, quarter) DO UPDATE SET n = EXCLUDED.n, kept = EXCLUDED.kept, "
            "samples = EXCLUDED.samples, computed_at = EXCLUDED.computed_at",
            [now, *columns],
        )


def _array_literal(samples: tuple[float, ...]) -> str:
    return "{" + ",".join(repr(float(sample)) for sample in samples) + "}"


def _store_trends(scope, tallies, now: dt.datetime) -> None:
    """Which share measures are falling in each project of the chunk (this quarter against the
    mean of the earlier ones, `trend.word`), stored; then the projects' attention figures, whose
    score counts them, follow in the same transaction."""
    this, earlier = scope.quarters[0], scope.quarters[1:]
    falling: dict[int, list[str]] = {project_id: [] for project_id in scope.projects}
    for measure in (m for m in MEASURES if m.kind == SHARE):
        for project_id in scope.projects:
            percent = Figure(measure, this, tallies[project_id, measure.key, this]).percent
            before = [Figure(measure, q, tallies[project_id, measure.key, q]).percent for q in earlier]
            said, _mean = word(percent, [p for p in before if p is not None])
            if said == FALLING:
                falling[project_id].append(measure.key)
    ProjectTrend.objects.bulk_create(
        [ProjectTrend(project_id=pk, falling=keys, computed_at=now) for pk, keys in falling.items()],
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=["falling", "computed_at"],
    )
    refresh_attention(project_ids=list(scope.projects))


def stored_tallies(
    *, project: Project, quarters: list[Quarter]
) -> tuple[dict[tuple[str, Quarter], Tally], dt.datetime | None]:
    """The project's stored figures over `quarters` (missing ones are not in it), and when the
    latest of them was computed: one query."""
    tallies, latest = {}, None
    for measure, quarter, n, kept, samples, computed_at in ProjectFigure.objects.filter(
        project=project, quarter__in=[q.start for q in quarters]
    ).values_list("measure", "quarter", "n", "kept", "samples", "computed_at"):
        tallies[measure, Quarter.of(quarter)] = Tally(n, kept, tuple(samples))
        latest = max(latest or computed_at, computed_at)
    return tallies, latest


class _Sum:
    """A roll-up's running totals (samples gathered in a list: adding tuples would copy them)."""

    def __init__(self):
        self.projects = self.n = self.kept = 0
        self.samples: list[float] = []

    def add(self, n: int, kept: int, samples: list[float]) -> None:
        self.projects += 1
        self.n += n
        self.kept += kept
        self.samples.extend(samples)


def _details(key: str, start: dt.date, total: _Sum) -> list[str]:
    """The details of a roll-up's sum, as a page shows them (none for a measure no longer made)."""
    measure = BY_KEY.get(key)
    if measure is None:
        return []
    return list(Figure(measure, Quarter.of(start), Tally(total.n, total.kept, tuple(total.samples))).details)


def roll_up(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Rebuild the relationship and project-manager roll-ups of the window's quarters from the
    stored project figures (read once, in one pass)."""
    now = now or clock.now()
    starts = [q.start for q in window(now)]
    managers = defaultdict(list)
    for project_id, user_id in ProjectMember.objects.filter(
        role=TeamRole.PROJECT_MANAGER, removed_at__isnull=True
    ).values_list("project_id", "user_id"):
        managers[project_id].append(user_id)
    pairs: dict[tuple, _Sum] = defaultdict(_Sum)
    by_manager: dict[tuple, _Sum] = defaultdict(_Sum)
    for project_id, sponsor_id, cdmo_id, measure, quarter, n, kept, samples in (
        # Accepted projects only: a proposal (open or declined) is no project of the relationship
        # yet, and the other side does not see it as one (`projects_visible_to`).
        ProjectFigure.objects.filter(quarter__in=starts, project__proposal_status=ProposalStatus.ACCEPTED)
        .values_list(
            "project_id",
            "project__sponsor_id",
            "project__cdmo_id",
            "measure",
            "quarter",
            "n",
            "kept",
            "samples",
        )
        .iterator(chunk_size=5000)
    ):
        pairs[sponsor_id, cdmo_id, measure, quarter].add(n, kept, samples)
        for manager_id in managers[project_id]:
            by_manager[cdmo_id, manager_id, measure, quarter].add(n, kept, samples)

    def stored(model, fields: tuple[str, str], totals: dict[tuple, _Sum]) -> list:
        return [
            model(
                **dict(zip(fields, key[:2], strict=True)),
                measure=key[2],
                quarter=key[3],
                projects=total.projects,
                n=total.n,
                kept=total.kept,
                samples=total.samples,
                details=_details(key[2], key[3], total),
                computed_at=now,
            )
            for key, total in totals.items()
        ]

    with transaction.atomic():
        # Derived rows, replaced whole: a relationship or a manager that no longer has projects
        # in the window loses its rows.
        RelationshipFigure.objects.filter(quarter__in=starts).delete()
        ManagerFigure.objects.filter(quarter__in=starts).delete()
        relationships = RelationshipFigure.objects.bulk_create(
            stored(RelationshipFigure, ("sponsor_id", "cdmo_id"), pairs), batch_size=2000
        )
        managed = ManagerFigure.objects.bulk_create(
            stored(ManagerFigure, ("cdmo_id", "manager_id"), by_manager), batch_size=2000
        )
    return {"relationships": len(relationships), "managers": len(managed)}
