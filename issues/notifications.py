"""Who hears about each step of a service issue, and what they read.

Runs in a worker (see tasks.py) and tells people through the portal's one door,
`portal.notifications.services.notify`: a bell entry and an email (immediate,
digest or none, as each person prefers), rendered in their own time zone, once
per timeline entry however often the task runs (the dedupe key is the entry).

Emails carry only the step itself, never the timeline, so a CDMO-internal note
cannot travel in one; internal entries produce no notification at all.
"""

from __future__ import annotations

from django.utils.text import Truncator

from portal.accounts.models import User
from portal.core.business_time import describe_business_hours
from portal.notifications.services import excerpt, notify
from projects.notifications import project_subject

from .models import (
    ESCALATION_PHRASES,
    EscalationLevel,
    EventKind,
    IssueEvent,
    Recognition,
    ResolutionPlan,
    Severity,
)
from .selectors import agreed_escalation_steps, escalation_recipients, sponsor_contacts

# Steps the CDMO takes: the sponsor contacts hear about them.
TO_SPONSOR = {EventKind.ACKNOWLEDGED, EventKind.PLAN_PROPOSED, EventKind.RESOLVED}
# Steps the sponsor takes: the CDMO project manager(s) hear about them.
TO_CDMO = {EventKind.PLAN_ACCEPTED, EventKind.PLAN_SENT_BACK, EventKind.CLOSED, EventKind.REOPENED}
# Issues this serious reach CDMO management the moment they are raised, not only once a
# deadline is missed; the others go to the project manager and climb the ladder on a breach.
MANAGEMENT_AT_ONCE = {Severity.CRITICAL, Severity.MAJOR}


def _project_managers(issue) -> list[User]:
    people = escalation_recipients(project=issue.project, level=EscalationLevel.PROJECT_MANAGER)
    # A project without a PM must not swallow the message: CDMO management hears instead.
    return people or escalation_recipients(project=issue.project, level=EscalationLevel.CDMO_MANAGEMENT)


def _plan(event: IssueEvent) -> ResolutionPlan | None:
    plan_id = event.data.get("plan_id")
    if not plan_id:
        return None
    return ResolutionPlan.objects.select_related("owner").filter(pk=plan_id, issue_id=event.issue_id).first()


def recipients_for(event: IssueEvent) -> list[User]:
    """The people to tell about `event` (never its author, never for internal notes)."""
    if event.is_internal:
        return []
    issue = event.issue
    kind = event.kind
    if kind == EventKind.RAISED:
        people = _project_managers(issue)
        if issue.severity in MANAGEMENT_AT_ONCE:
            people = [
                *people,
                *escalation_recipients(project=issue.project, level=EscalationLevel.CDMO_MANAGEMENT),
            ]
    elif kind == EventKind.ESCALATED:
        people = escalation_recipients(
            project=issue.project, level=event.data.get("level", issue.escalation_level)
        )
    elif kind in TO_SPONSOR:
        people = sponsor_contacts(issue=issue)
    elif kind in TO_CDMO:
        people = _project_managers(issue)
        plan = _plan(event)
        if plan is not None:
            people = [*people, plan.owner]
    elif kind == EventKind.NOTE:
        from_cdmo = event.actor is not None and event.actor.organization_id == issue.project.cdmo_id
        people = sponsor_contacts(issue=issue) if from_cdmo else _project_managers(issue)
    else:
        people = []
    seen, result = set(), []
    for person in people:
        if person.pk in seen or person.pk == event.actor_id or not person.is_active:
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def template_for(event: IssueEvent) -> str:
    if event.kind == EventKind.RAISED:
        return "issue-raised"
    if event.kind == EventKind.ESCALATED:
        return "issue-escalated"
    return "issue-update"


def _title(event: IssueEvent) -> str:
    issue, project = event.issue, event.issue.project
    if event.kind == EventKind.RAISED:
        return f"{project.code}: {issue.get_severity_display().lower()} service issue raised: {issue.title}"
    if event.kind == EventKind.ESCALATED:
        return f"{project.code}: service issue {issue.reference} escalated to you: {issue.title}"
    return f"{project.code} {issue.reference}: {event.summary}"


def send_event_emails(*, event: IssueEvent) -> int:
    """Tell everyone who should hear about `event`; returns how many were told (first time)."""
    issue = event.issue
    recipients = recipients_for(event)
    if not recipients:
        return 0
    project = issue.project
    level_number = event.data.get("level")
    created = notify(
        recipients=recipients,
        kind=f"issue.{event.kind}",
        dedupe_key=f"issue-event:{event.pk}",
        title=_title(event),
        body=excerpt(event.note or event.summary),
        url=issue.get_absolute_url(),
        subject=project_subject(project),
        email_template=template_for(event),
        email_context={
            "project": project,
            "event": event,
            "issue": issue,
            "plan": _plan(event),
            "cdmo_zone": project.cdmo.time_zone,
            "level": ESCALATION_PHRASES.get(level_number, ""),
            "level_number": level_number,
            "agreed_acknowledge": describe_business_hours(issue.acknowledge_within_hours),
            "agreed_plan": describe_business_hours(issue.plan_within_hours),
            "issue_path": issue.get_absolute_url(),
            # The working agreement's "how to escalate", told to the people escalated to.
            "escalation_steps": (
                agreed_escalation_steps(project=project) if event.kind == EventKind.ESCALATED else ""
            ),
        },
    )
    return len(created)


def send_recognition_emails(*, recognition: Recognition) -> int:
    """Tell the person credited and the project's CDMO project manager(s)."""
    project = recognition.project
    people = escalation_recipients(project=project, level=EscalationLevel.PROJECT_MANAGER)
    if recognition.recipient_id and recognition.recipient.is_active:
        people = [recognition.recipient, *people]
    people = [p for p in people if p.pk != recognition.given_by_id]
    if not people:
        return 0
    who = recognition.recipient.full_name if recognition.recipient_id else "your team"
    created = notify(
        recipients=people,
        kind="kudos.given",  # shown as "Recognition", whatever was recognized
        dedupe_key=f"recognition:{recognition.pk}",
        title=f"{project.code}: {recognition.given_by.full_name} recognized {who}",
        body=Truncator(recognition.note).chars(240),
        url=recognition.get_absolute_url(),
        subject=project_subject(project),
        email_template="issue-recognition",
        email_context={"project": project, "recognition": recognition},
    )
    return len(created)
