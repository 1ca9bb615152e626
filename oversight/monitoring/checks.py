"""When each project's flags could next change with time alone: `ProjectCheck.check_at`.

The quarter-hourly sweep evaluates only the projects whose moment came; a change to a project's
data re-evaluates it at once (listeners.py). Both store the project's next moment afterwards:
the earliest, over every rule, of the moments its `moments(now)` names after `now`. Set-based:
a query or two per rule for any number of projects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction

from .models import ProjectCheck
from .rules import RULES


def next_checks(now: dt.datetime, project_ids: list[int] | None) -> dict[int, dt.datetime]:
    """{project id: the first moment after `now` its flags could change}; absent: never.
    `project_ids` None: every project."""
    found: dict[int, dt.datetime] = {}
    for rule in RULES:
        for project_id, moment in rule.moments(now, project_ids):
            if moment > now and (project_id not in found or moment < found[project_id]):
                found[project_id] = moment
    return found


def store_checks(*, now: dt.datetime, project_ids: Iterable[int]) -> int:
    """Store the next moments of these projects; returns how many changed.

    Their rows are locked before the moments are read (each rule's query a statement of its own,
    READ COMMITTED): a concurrent store for the same project waits, then reads what the first
    one's data said, so the last one written is never computed from older data."""
    ids = sorted({int(pk) for pk in project_ids})
    if not ids:
        return 0
    table = connection.ops.quote_name(ProjectCheck._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (project_id, check_at) SELECT unnest(%s::bigint[]), NULL "
            "ON CONFLICT (project_id) DO NOTHING",
            [ids],
        )
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE project_id = ANY(%s) ORDER BY project_id FOR UPDATE", [ids]
        )
        moments = next_checks(now, ids)
        cursor.execute(
            f"UPDATE {table} AS c SET check_at = v.at "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(project_id, at) "
            "WHERE c.project_id = v.project_id AND c.check_at IS DISTINCT FROM v.at",
            [ids, [moments.get(pk) for pk in ids]],
        )
        return cursor.rowcount


def reconcile_checks(*, now: dt.datetime) -> int:
    """The nightly safety net: every project's next moment, from one pass of each rule over every
    project; returns how many rows moved.

    A row moves only to an earlier moment (or from never to one). Read without locks, a moment
    may be older than a concurrent store's; earlier is always safe (at worst the project is
    evaluated once for nothing, and its row recomputed then), while a row left too late, or
    never, by a change nobody re-evaluated is what this is here to catch."""
    moments = next_checks(now, None)
    if not moments:
        return 0
    table = connection.ops.quote_name(ProjectCheck._meta.db_table)
    ids = sorted(moments)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET check_at = v.at "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(project_id, at) "
            "WHERE c.project_id = v.project_id AND (c.check_at IS NULL OR v.at < c.check_at)",
            [ids, [moments[pk] for pk in ids]],
        )
        return cursor.rowcount


def due_projects(now: dt.datetime) -> list[int]:
    """The projects whose moment came (served by check_at_idx: as many rows as are due)."""
    return list(
        ProjectCheck.objects.filter(check_at__lte=now)
        .order_by("project_id")
        .values_list("project_id", flat=True)
    )
