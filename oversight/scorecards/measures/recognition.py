"""Both sides: recognition. Kudos are given by the sponsor's people and received by the CDMO's
(`issues.models.Recognition`): one count, the same seen from either side.

A count, not a share: there is no "expected" number of kudos to keep or miss, and a quarter with
none is a figure too (0), not "too few to measure".
"""

from __future__ import annotations

from django.db.models import F

from issues.models import Recognition

from ..quarters import utc_date
from .base import BOTH, COUNT, Measure, Record, Records, Scope, records


def _recognition(scope: Scope) -> Records:
    """Kudos given in the quarters by the sponsor's people, by the UTC quarter of their giving,
    each sampled 1 if it names a person at the CDMO (else it thanks the whole team): one query."""
    found = records()
    rows = Recognition.objects.filter(
        project_id__in=scope.ids,
        given_by__organization_id=F("project__sponsor_id"),
        given_at__gte=scope.starts_at,
        given_at__lt=scope.ends_before,
    ).values_list("pk", "project_id", "given_at", "recipient_id")
    for pk, project_id, given_at, recipient_id in rows:
        quarter = scope.bucket(utc_date(given_at))
        if quarter is not None:
            named = 1.0 if recipient_id is not None else 0.0
            found[project_id, quarter].append(
                Record(True, named, ref=("recognition", pk), on=utc_date(given_at))
            )
    return found


def _named(samples) -> tuple[str, ...]:
    if not samples:
        return ()
    return (f"{int(sum(samples))} naming a person",)


RECOGNITION = Measure(
    "recognition",
    "Recognition given and received",
    BOTH,
    "The number of recognitions (kudos for a status update, an answer, a meeting or a resolved "
    "service issue) the sponsor's people gave the CDMO's in the quarter (UTC), and how many of "
    "them named a person at the CDMO (the others thank the whole team).",
    ("recognition", "recognitions"),
    compute=_recognition,
    describe=_named,
    kind=COUNT,
    dated="Given",
    verdicts=("counted", "counted"),
    explain=lambda record: "names a person at the CDMO" if record.sample else "thanks the whole team",
)
