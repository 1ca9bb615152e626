"""Emails about milestones and status updates. Called by the Celery tasks in tasks.py.

One email per person, rendered in their own time zone. Internal notes never
produce an email: only the sponsor-visible part of the conversation is sent.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from portal.core.emails import send_templated_email

from .diffing import update_changes
from .models import DecisionRequest, MilestoneForecastChange, StatusUpdate, UpdateComment
from .selectors import cdmo_project_managers, sponsor_team, update_attachments, update_decisions


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _parse_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _send(template: str, context: dict, *, recipients) -> int:
    sent = 0
    for user in recipients:
        if not user.email or not user.is_active:
            continue
        with timezone.override(_zone(user.time_zone)):
            send_templated_email(template, {**context, "recipient": user}, to=[user.email])
        sent += 1
    return sent


def send_update_published(update: StatusUpdate) -> int:
    """The sponsor's project team hears about a new update (or a correction, with what changed)."""
    changes = []
    if update.revision_of_id:
        previous = update.revision_of
        changes = update_changes(
            previous,
            update,
            old_files=[a.original_name for a in update_attachments(update=previous)],
            new_files=[a.original_name for a in update_attachments(update=update)],
        )
    context = {
        "update": update,
        "project": update.project,
        "decisions": [
            {"title": item.get("title", ""), "needed_by": _parse_date(item.get("needed_by"))}
            for item, _ in update_decisions(update=update)
        ],
        "changes": changes,
        "path": update.get_absolute_url(),
    }
    return _send("update-published", context, recipients=sponsor_team(project=update.project))


def send_forecast_changed(change: MilestoneForecastChange) -> int:
    milestone = change.milestone
    context = {
        "change": change,
        "milestone": milestone,
        "project": milestone.project,
        "path": milestone.get_absolute_url(),
    }
    return _send("update-milestone-forecast", context, recipients=sponsor_team(project=milestone.project))


def send_question_asked(question: UpdateComment) -> int:
    update = question.update
    context = {
        "question": question,
        "update": update,
        "project": update.project,
        "path": update.get_absolute_url(),
    }
    recipients = [u for u in cdmo_project_managers(project=update.project) if u.pk != question.author_id]
    return _send("update-question", context, recipients=recipients)


def send_question_answered(answer: UpdateComment) -> int:
    question = answer.parent
    update = answer.update
    context = {
        "answer": answer,
        "question": question,
        "update": update,
        "project": update.project,
        "path": update.get_absolute_url(),
    }
    return _send("update-answer", context, recipients=[question.author])


def send_decision_made(decision: DecisionRequest) -> int:
    context = {
        "decision": decision,
        "project": decision.project,
        "path": decision.update.get_absolute_url(),
    }
    recipients = [
        u for u in cdmo_project_managers(project=decision.project) if u.pk != decision.decided_by_id
    ]
    return _send("update-decision", context, recipients=recipients)
