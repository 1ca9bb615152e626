"""What a quarterly business review pack holds: the snapshot a `BusinessReview` keeps.

Read once, when the review is prepared, and stored as plain JSON (`BusinessReview.content`): the
page, every PDF rendering and both executives' signatures read that snapshot, so what they sign
is what the pack showed, whatever changes in the records afterwards. The figures come from the
stored roll-up of the relationship (`RelationshipFigure`, kept by the workers); the rest from the
relationship's projects: a constant number of queries however many projects it has. Nothing
internal to one side is in it (no internal notes, no project-manager comparison): both parties
read every word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.db.models import Case, Count, IntegerField, Q, Value, When

from issues.models import Recognition, ServiceIssue
from oversight.monitoring.models import Flag, Severity
from portal.core import clock
from portal.organizations.models import Organization
from projects.models import ChangeRequest, ChangeStatus, Project, ProposalStatus
from projects.models import Severity as IssueSeverity  # critical, major, minor: most severe first

from .measures import MEASURES, SIDES, Figure, Tally
from .models import RelationshipFigure
from .quarters import Quarter
from .targets import targets_for

TRENDS = 5  # the quarter reviewed and the four before it
TOP = 10  # flags and service issues listed by name
LISTED = 30  # changes approved and recognition listed by name (the rest counted)


def _day(at: dt.datetime | None) -> str | None:
    """A day as the pack prints it, "9 Aug 2026" (UTC, like the quarters)."""
    return f"{at.astimezone(dt.UTC):%-d %b %Y}" if at else None


def scorecard(
    *, sponsor: Organization, cdmo: Organization, quarter: Quarter
) -> tuple[list[dict], str | None]:
    """Each side's measures over the quarter and the four before it (the quarter first), from the
    relationship's roll-up, each share measure with the targets that applied to the relationship
    when the pack was prepared (kept with it: a later change of targets does not recolour a signed
    pack); and when that roll-up was computed."""
    quarters = [quarter]
    while len(quarters) < TRENDS:
        quarters.append(quarters[-1].previous())
    pair = (sponsor.pk, cdmo.pk)
    targets = targets_for([pair])[pair]
    tallies, described, computed = {}, {}, None
    for measure, start, n, kept, details, computed_at in RelationshipFigure.objects.filter(
        sponsor=sponsor, cdmo=cdmo, quarter__in=[q.start for q in quarters]
    ).values_list("measure", "quarter", "n", "kept", "details", "computed_at"):
        tallies[measure, Quarter.of(start)] = Tally(n, kept)
        described[measure, Quarter.of(start)] = tuple(details)
        computed = max(computed or computed_at, computed_at)
    sides = []
    for side, heading in SIDES:
        rows = []
        for measure in (m for m in MEASURES if m.side == side):
            figures = [
                Figure(
                    measure, q, tallies.get((measure.key, q), Tally()), described.get((measure.key, q), ())
                )
                for q in quarters
            ]
            rows.append(
                {
                    "key": measure.key,
                    "name": measure.name,
                    "definition": measure.definition,
                    "targets": asdict(targets[measure.key]) if measure.key in targets else None,
                    "quarters": [
                        {
                            "label": f.quarter.label,
                            "display": f.display,
                            "percent": f.percent,
                            "n_label": f.n_label,
                            "share": f.share if not f.too_few else None,
                            "too_few": f.too_few,
                            "details": list(f.details),
                        }
                        for f in figures
                    ],
                }
            )
        if rows:
            sides.append({"heading": heading, "measures": rows})
    return sides, f"{computed.astimezone(dt.UTC):%-d %b %Y, %H:%M} UTC" if computed else None


def review_content(*, sponsor: Organization, cdmo: Organization, quarter: Quarter) -> dict:
    """The pack's snapshot for the relationship and quarter (see the module's docstring)."""
    # Accepted projects only: a proposal (open or declined) is no project of the relationship.
    projects = Project.objects.filter(sponsor=sponsor, cdmo=cdmo, proposal_status=ProposalStatus.ACCEPTED)
    starts, ends = quarter.starts_at(), quarter.ends_before()
    sides, computed = scorecard(sponsor=sponsor, cdmo=cdmo, quarter=quarter)
    return {
        "sponsor": sponsor.name,
        "cdmo": cdmo.name,
        "quarter": quarter.label,
        "span": quarter.span,
        "prepared_at": clock.now().isoformat(),
        "figures_computed_at": computed,
        "projects": list(projects.order_by("code").values_list("code", flat=True)),
        "scorecard": sides,
        "flags": _flags(projects, starts, ends),
        "issues": _issues(projects, starts, ends),
        "changes": _changes(projects, starts, ends),
        "recognition": _recognition(projects, starts, ends),
    }


def _flags(projects, starts: dt.datetime, ends: dt.datetime) -> dict:
    """Flags raised in the quarter, or raised before it and still open at its start: critical
    first, then the longest open."""
    during = Flag.objects.filter(project__in=projects, raised_at__lt=ends).filter(
        Q(cleared_at__isnull=True) | Q(cleared_at__gte=starts)
    )
    counts = during.aggregate(
        total=Count("pk"),
        raised=Count("pk", filter=Q(raised_at__gte=starts)),
        critical=Count("pk", filter=Q(severity=Severity.CRITICAL)),
        open_at_end=Count("pk", filter=Q(cleared_at__isnull=True) | Q(cleared_at__gte=ends)),
    )
    critical_first = Case(
        When(severity=Severity.CRITICAL, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    top = [
        {
            "project": flag.project.code,
            "kind": flag.get_kind_display(),
            "severity": flag.get_severity_display(),
            "explanation": flag.explanation,
            "raised": _day(flag.raised_at),
            "cleared": _day(flag.cleared_at) if flag.cleared_at and flag.cleared_at < ends else None,
        }
        for flag in during.select_related("project").order_by(critical_first, "raised_at", "pk")[:TOP]
    ]
    return {**counts, "top": top}


def _issues(projects, starts: dt.datetime, ends: dt.datetime) -> dict:
    """Service issues raised in the quarter (and how their clocks went), the most severe first."""
    raised = ServiceIssue.objects.filter(project__in=projects, raised_at__gte=starts, raised_at__lt=ends)
    counts = raised.aggregate(
        total=Count("pk"),
        acknowledge_breached=Count("pk", filter=Q(acknowledge_breached_at__isnull=False)),
        plan_breached=Count("pk", filter=Q(plan_breached_at__isnull=False)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        closed=Count("pk", filter=Q(closed_at__lt=ends)),
    )
    severity_order = Case(
        *[When(severity=value, then=Value(rank)) for rank, value in enumerate(IssueSeverity.values)],
        default=Value(99),
        output_field=IntegerField(),
    )
    top = [
        {
            "project": issue.project.code,
            "title": issue.title,
            "severity": issue.get_severity_display(),
            "status": issue.get_status_display(),
            "raised": _day(issue.raised_at),
            "breached": bool(issue.acknowledge_breached_at or issue.plan_breached_at),
        }
        for issue in raised.select_related("project").order_by(severity_order, "raised_at", "pk")[:TOP]
    ]
    return {**counts, "top": top}


def _listed(queryset, rows: list[dict]) -> dict:
    """The first `LISTED` rows named, and how many there are (counted only when the list is full)."""
    return {"total": queryset.count() if len(rows) == LISTED else len(rows), "listed": rows}


def _changes(projects, starts: dt.datetime, ends: dt.datetime) -> dict:
    approved = ChangeRequest.objects.filter(
        project__in=projects, status=ChangeStatus.APPROVED, decided_at__gte=starts, decided_at__lt=ends
    )
    rows = [
        {"project": code, "title": title, "approved": _day(at)}
        for code, title, at in approved.order_by("decided_at", "pk").values_list(
            "project__code", "title", "decided_at"
        )[:LISTED]
    ]
    return _listed(approved, rows)


def _recognition(projects, starts: dt.datetime, ends: dt.datetime) -> dict:
    given = Recognition.objects.filter(project__in=projects, given_at__gte=starts, given_at__lt=ends)
    rows = [
        {
            "project": code,
            "from": giver or "",
            "to": recipient or "",
            "for": label,
            "note": note,
            "given": _day(at),
        }
        for code, giver, recipient, label, note, at in given.order_by("given_at", "pk").values_list(
            "project__code", "given_by__full_name", "recipient__full_name", "target_label", "note", "given_at"
        )[:LISTED]
    ]
    return _listed(given, rows)
