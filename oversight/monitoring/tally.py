"""The dashboard's flag panels for a whole organization, read from stored tallies.

`FlagTally` (flags raised and cleared per UTC hour) and `OpenFlagTally` (open flags per kind)
hold, per organization, the counts over the flags of the projects it sees; triggers keep them in
the statement of every flag write (migration 0006). `live_tallies` is their definition, counted
from the flags; a rebuild test compares the two after a random series of operations.

An hour lies inside one local week wherever a week starts on a whole UTC hour (every zone but
the few with a half- or quarter-hour offset), so the weekly trend is a sum of hours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from projects.models import ProposalStatus

from .models import Flag, FlagTally, OpenFlagTally


def hours_align(mondays: list[dt.date]) -> bool:
    """Whether each of these local Mondays starts on a whole UTC hour (the current time zone)."""
    for monday in mondays:
        offset = timezone.make_aware(dt.datetime.combine(monday, dt.time.min)).utcoffset()
        if offset.total_seconds() % 3600:
            return False
    return True


def tallied_summary(*, organization_id: int, start: dt.datetime) -> tuple[Counter, Counter, Counter]:
    """(raised per local week, cleared per local week, open per kind) from `start` (a local
    Monday at midnight on a whole UTC hour), for the projects `organization_id` sees: one query."""
    table, open_table = FlagTally._meta.db_table, OpenFlagTally._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT date_trunc('week', hour AT TIME ZONE %s)::date, sum(raised), sum(cleared), NULL "  # noqa: S608
            f"FROM {table} WHERE organization_id = %s AND hour >= %s GROUP BY 1 "
            f"UNION ALL SELECT NULL, open, 0, kind FROM {open_table} WHERE organization_id = %s",
            [timezone.get_current_timezone_name(), organization_id, start, organization_id],
        )
        rows = cursor.fetchall()
    raised, cleared, open_counts = Counter(), Counter(), Counter()
    for week, raised_n, cleared_n, kind in rows:
        if kind is None:
            raised[week] += raised_n
            cleared[week] += cleared_n
        else:
            open_counts[kind] += raised_n
    return raised, cleared, open_counts


def _flags_seen_by(side: str):
    """Flags with `org`, the party on `side` of their project, where that party sees the project."""
    party = f"project__{side}_id"
    return Flag.objects.filter(
        Q(project__proposal_status=ProposalStatus.ACCEPTED) | Q(project__proposed_by_org_id=F(party))
    ).annotate(org=F(party))


def live_tallies() -> tuple[dict, dict]:
    """({(organization id, hour): (raised, cleared)}, {(organization id, kind): open}) counted
    from the flags now: what the stored tallies must say (their rows of zeros left out)."""
    hours: Counter = Counter()
    open_counts: Counter = Counter()
    for side in ("sponsor", "cdmo"):
        flags = _flags_seen_by(side).order_by()
        for moment, position in (("raised_at", 0), ("cleared_at", 1)):
            counted = (
                flags.filter(**{f"{moment}__isnull": False})
                .annotate(hour=Trunc(moment, "hour", tzinfo=dt.UTC))
                .values("org", "hour")
                .annotate(n=Count("pk"))
            )
            for row in counted:
                hours[(row["org"], row["hour"], position)] += row["n"]
        counted = flags.filter(cleared_at__isnull=True).values("org", "kind").annotate(n=Count("pk"))
        for row in counted:
            open_counts[(row["org"], row["kind"])] += row["n"]
    keys = {(org, hour) for org, hour, _position in hours}
    return (
        {key: (hours[(*key, 0)], hours[(*key, 1)]) for key in keys},
        dict(open_counts),
    )


def stored_tallies() -> tuple[dict, dict]:
    """The stored tallies, shaped as `live_tallies`."""
    hours = {
        (row.organization_id, row.hour): (row.raised, row.cleared)
        for row in FlagTally.objects.exclude(raised=0, cleared=0)
    }
    open_counts = {(row.organization_id, row.kind): row.open for row in OpenFlagTally.objects.exclude(open=0)}
    return hours, open_counts
