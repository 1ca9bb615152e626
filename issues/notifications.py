"""Who hears about each step of a service issue, and the emails they get.

Runs in a worker (see tasks.py). Emails carry only the step itself: never the
timeline, so a CDMO-internal note cannot travel in one; internal entries are
never sent at all. Each person gets their own email, with times in their zone.
"""

from __future__ import annotations

import logging
import zoneinfo

from django.utils import timezone

from portal.accounts.models import User
from portal.core.business_time import describe_business_hours
from portal.core.emails import send_templated_email

from .models import EscalationLevel, EventKind, IssueEvent, Recognition, ResolutionPlan
from .selectors import escalation_recipients, sponsor_contacts

logger = logging.getLogger(__name__)

# Steps the CDMO takes: the sponsor contacts hear about them.
TO_SPONSOR = {EventKind.ACKNOWLEDGED, EventKind.PLAN_PROPOSED, EventKind.RESOLVED}
# Steps the sponsor takes: the CDMO project manager(s) hear about them.
TO_CDMO = {EventKind.PLAN_ACCEPTED, EventKind.PLAN_SENT_BACK, EventKind.CLOSED, EventKind.REOPENED}


def _project_managers(issue) -> list[User]:
    people = escalation_recipients(project=issue.project, level=EscalationLevel.PROJECT_MANAGER)
    # A project without a PM must not swallow the message: CDMO management hears instead.
    return people or escalation_recipients(project=issue.project, level=EscalationLevel.CDMO_MANAGEMENT)


def recipients_for(event: IssueEvent) -> list[User]:
    """The people to email about `event` (never its author, never for internal notes)."""
    if event.is_internal:
        return []
    issue = event.issue
    kind = event.kind
    if kind == EventKind.RAISED:
        people = _project_managers(issue)
    elif kind == EventKind.ESCALATED:
        people = escalation_recipients(
            project=issue.project, level=event.data.get("level", issue.escalation_level)
        )
    elif kind in TO_SPONSOR:
        people = sponsor_contacts(issue=issue)
    elif kind in TO_CDMO:
        people = _project_managers(issue)
        plan_id = event.data.get("plan_id")
        if plan_id:
            plan = ResolutionPlan.objects.select_related("owner").filter(pk=plan_id).first()
            if plan and plan.owner.is_active:
                people = [*people, plan.owner]
    elif kind == EventKind.NOTE:
        from_cdmo = event.actor is not None and event.actor.organization_id == issue.project.cdmo_id
        people = sponsor_contacts(issue=issue) if from_cdmo else _project_managers(issue)
    else:
        people = []
    seen, result = set(), []
    for person in people:
        if person.pk in seen or (event.actor_id and person.pk == event.actor_id) or not person.is_active:
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def _zone(user: User):
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def template_for(event: IssueEvent) -> str:
    if event.kind == EventKind.RAISED:
        return "issue-raised"
    if event.kind == EventKind.ESCALATED:
        return "issue-escalated"
    return "issue-update"


def send_event_emails(*, event: IssueEvent) -> int:
    """Email everyone who should hear about `event`; returns how many emails were sent."""
    issue = event.issue
    recipients = recipients_for(event)
    if not recipients:
        return 0
    template = template_for(event)
    cdmo = issue.project.cdmo
    plan = None
    if event.data.get("plan_id"):
        plan = ResolutionPlan.objects.select_related("owner").filter(pk=event.data["plan_id"]).first()
    sent = 0
    for person in recipients:
        with timezone.override(_zone(person)):
            context = {
                "event": event,
                "issue": issue,
                "project": issue.project,
                "recipient": person,
                "plan": plan,
                "cdmo_zone": cdmo.time_zone,
                "level": EscalationLevel(issue.escalation_level).label
                if event.kind == EventKind.ESCALATED
                else "",
                "level_number": event.data.get("level"),
                "agreed_acknowledge": describe_business_hours(issue.acknowledge_within_hours),
                "agreed_plan": describe_business_hours(issue.plan_within_hours),
                "recipient_is_cdmo": person.organization_id == cdmo.pk,
                "issue_path": issue.get_absolute_url(),
            }
            send_templated_email(template, context, to=[person.email])
        sent += 1
    return sent


def send_recognition_emails(*, recognition: Recognition) -> int:
    """Tell the person credited and the project's CDMO project manager(s)."""
    project = recognition.project
    people = escalation_recipients(project=project, level=EscalationLevel.PROJECT_MANAGER)
    if recognition.recipient_id and recognition.recipient.is_active:
        people = [recognition.recipient, *people]
    seen, sent = set(), 0
    for person in people:
        if person.pk in seen or person.pk == recognition.given_by_id:
            continue
        seen.add(person.pk)
        with timezone.override(_zone(person)):
            send_templated_email(
                "issue-recognition",
                {"recognition": recognition, "project": project, "recipient": person},
                to=[person.email],
            )
        sent += 1
    return sent
