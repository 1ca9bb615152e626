"""A working agreement term as it stood on a date, read inside a measure's own query.

Two measures judge each record by a term of the working agreement version in force on one of the
record's dates: on-time delivery by the tolerance at the milestone's actual date, No surprises by
the notice of a slip at its baseline date. Both read the term with a correlated subquery on the
agreement's (project, effective_from) index, so each measure stays one query for any number of
projects and the nightly refresh's count does not move.
"""

from __future__ import annotations

from django.db.models import DateTimeField, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from projects.models import AgreementStatus, WorkingAgreement


class DayEnd(Func):
    """The instant a date ends in UTC (the next midnight, UTC), as a timestamp with time zone."""

    template = "((%(expressions)s + 1)::timestamp AT TIME ZONE 'UTC')"
    output_field = DateTimeField()


def term_on(term: str, date_field: str, default: int) -> Coalesce:
    """`term` of the version in force at the end (UTC) of the outer row's `date_field` (a date
    column of a row with a `project_id`); `default` before any version came into force. A date
    still ahead reads the version in force now (nothing later is in force yet)."""
    day_end = DayEnd(OuterRef(date_field))
    in_force = (
        WorkingAgreement.objects.filter(
            project_id=OuterRef("project_id"),
            status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED],
            effective_from__lt=day_end,
        )
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=day_end))
        .order_by("-effective_from")
        .values(term)[:1]
    )
    return Coalesce(Subquery(in_force), Value(default))
