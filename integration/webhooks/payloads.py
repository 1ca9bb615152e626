"""What a delivery says: built when it is sent, from the record as it stands then.

A payload carries stable ids, the event id (the same in every attempt and every subscription's
copy: the receiver's key to drop a double), when it happened, the project's code, and a short
account of the subject: titles, statuses, dates and a link into the portal. Never free text
written on one side for itself: no comments or notes (CDMO-internal notes are never read here),
no update drafts (only published revisions raise events), and a meeting's minutes summary only
once the minutes are sent, so a late delivery of "minutes.sent" after the minutes were reopened
as a draft does not carry the draft. The receiver fetches more through the read API, where the
same tenancy rules apply.
"""

from __future__ import annotations

import json

from django.conf import settings

from issues.models import ServiceIssue
from meetings.models import LOCKED_STATUSES, Meeting
from oversight.monitoring.models import Flag
from projects.models import DecisionRequest, StatusUpdate

from .models import TEST_EVENT, WebhookDelivery

VERSION = 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _link(obj) -> str:
    return f"{settings.SITE_URL}{obj.get_absolute_url()}"


def _update(update: StatusUpdate) -> dict:
    return {
        "title": update.title,
        "status": update.status,
        "revision": update.revision_number,
        "overall_rag": update.overall_rag,
        "period_start": _iso(update.period_start),
        "period_end": _iso(update.period_end),
        "published_at": _iso(update.published_at),
    }


def _decision(decision: DecisionRequest) -> dict:
    return {
        "title": decision.title,
        "status": decision.status,
        "needed_by": _iso(decision.needed_by),
        "raised_at": _iso(decision.raised_at),
        "outcome": decision.outcome,
        "decided_at": _iso(decision.decided_at),
        "update_id": decision.update_id,
    }


def _flag(flag: Flag) -> dict:
    return {
        "kind": flag.kind,
        "title": flag.get_kind_display(),
        "severity": flag.severity,
        "explanation": flag.explanation,
        "raised_at": _iso(flag.raised_at),
        "cleared_at": _iso(flag.cleared_at),
    }


def _issue(issue: ServiceIssue) -> dict:
    return {
        "title": issue.title,
        "category": issue.category,
        "severity": issue.severity,
        "status": issue.status,
        "escalation_level": issue.escalation_level,
        "raised_at": _iso(issue.raised_at),
        "acknowledge_by": _iso(issue.acknowledge_by),
        "plan_by": _iso(issue.plan_by),
        "acknowledge_breached_at": _iso(issue.acknowledge_breached_at),
        "plan_breached_at": _iso(issue.plan_breached_at),
        "escalated_at": _iso(issue.escalated_at),
    }


def _meeting(meeting: Meeting) -> dict:
    sent = meeting.status in LOCKED_STATUSES
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "starts_at": _iso(meeting.starts_at),
        "duration_minutes": meeting.duration_minutes,
        "cancelled_at": _iso(meeting.cancelled_at),
        "minutes_sent_at": _iso(meeting.minutes_sent_at),
        "minutes_confirmed_at": _iso(meeting.minutes_confirmed_at),
        # Minutes in draft belong to the side writing them, whoever subscribes.
        "minutes_summary": meeting.summary if sent else None,
    }


# subject label -> (the type the receiver reads, the model, what to say of it)
SUBJECTS = {
    StatusUpdate._meta.label: ("status_update", StatusUpdate, _update),
    DecisionRequest._meta.label: ("decision_request", DecisionRequest, _decision),
    Flag._meta.label: ("flag", Flag, _flag),
    ServiceIssue._meta.label: ("service_issue", ServiceIssue, _issue),
    Meeting._meta.label: ("meeting", Meeting, _meeting),
}


def payload(delivery: WebhookDelivery) -> dict:
    """The JSON document of `delivery` (its subscription and project already loaded)."""
    body = {
        "version": VERSION,
        "id": str(delivery.event_id),
        "event": delivery.event,
        "occurred_at": _iso(delivery.occurred_at),
        "delivery_id": delivery.pk,
        "organization_id": delivery.subscription.organization_id,
    }
    if delivery.event == TEST_EVENT:
        return {**body, "project": None, "subject": None}
    project = delivery.project
    body["project"] = {"id": project.pk, "code": project.code, "name": project.name, "url": _link(project)}
    kind, model, describe = SUBJECTS[delivery.subject_label]
    subject = model.objects.filter(pk=delivery.subject_id, project_id=project.pk).first()
    if subject is None:  # records are never deleted; a subject missing is a bug, said plainly
        raise LookupError(f"{delivery.subject_label} {delivery.subject_id} not found in project {project.pk}")
    body["subject"] = {"type": kind, "id": subject.pk, "url": _link(subject), **describe(subject)}
    return body


def encode(document: dict) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
