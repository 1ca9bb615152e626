"""What the sponsor's signatures on a service issue cover.

Accepting or sending back a resolution plan signs the plan as proposed (owner, steps, target);
confirming the closure signs the resolution as the CDMO reported it (the timeline's "Resolved"
entry). Both are never edited, so a signature stays valid through later steps (a reopened issue
gets a new resolution, signed on its own entry) and only stops matching if someone tampers.
"""

from __future__ import annotations

from .models import EventKind, IssueEvent, ResolutionPlan, ServiceIssue


def _issue(issue: ServiceIssue) -> dict:
    return {"reference": issue.reference, "title": issue.title, "project": issue.project_id}


def plan_signed_content(plan: ResolutionPlan) -> dict:
    return {
        "issue": _issue(plan.issue),
        "plan": {
            "id": plan.pk,
            "owner": plan.owner.full_name,
            "steps": plan.steps,
            "target_date": plan.target_date.isoformat(),
            "proposed_by": plan.proposed_by.full_name,
            "proposed_at": plan.proposed_at.isoformat(),
        },
    }


def resolution_signed_content(event: IssueEvent) -> dict:
    return {
        "issue": _issue(event.issue),
        "resolution": {
            "id": event.pk,
            "summary": event.note,
            "resolved_by": event.actor.full_name if event.actor_id else "",
            "resolved_at": event.at.isoformat(),
        },
    }


def latest_resolution(issue: ServiceIssue) -> IssueEvent | None:
    """The "Resolved" entry the sponsor confirms: the latest one."""
    return (
        IssueEvent.objects.filter(issue=issue, kind=EventKind.RESOLVED)
        .select_related("issue", "actor")
        .order_by("-at", "-pk")
        .first()
    )
