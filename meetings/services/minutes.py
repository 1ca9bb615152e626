"""The minutes: written, closed and sent, confirmed by the sponsor or sent back for a correction."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.events import emit
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed
from projects.selectors import ProjectAccess

from .. import permissions, tasks
from ..models import ActionItem, Decision, Meeting, MeetingStatus
from .common import require_in_project, require_runner, require_status, start_minutes, team_of, transition


@dataclass(frozen=True)
class DecisionRow:
    id: int | None
    summary: str
    remove: bool = False


@dataclass(frozen=True)
class ActionItemRow:
    id: int | None
    title: str
    owner: User | None
    due_date: datetime.date | None
    remove: bool = False


def minutes_save(
    *,
    access: ProjectAccess,
    meeting: Meeting,
    version: int,
    summary: str,
    next_steps: str,
    decisions: Sequence[DecisionRow] = (),
    action_items: Sequence[ActionItemRow] = (),
) -> Meeting:
    """Save the draft minutes if nobody saved them since `version` was read.

    Decisions and action items are kept in the order given; rows marked `remove` are
    struck from the draft (kept as a record, never deleted).
    """
    require_in_project(access, meeting)
    team = team_of(meeting)
    with transaction.atomic(), audited("Minutes edited"):
        start_minutes(access, meeting, doing="write the minutes")
        updated = Meeting.objects.filter(
            pk=meeting.pk, version=version, status=MeetingStatus.MINUTES_DRAFT
        ).update(
            summary=summary.strip(),
            next_steps=next_steps.strip(),
            version=F("version") + 1,
            updated_at=clock.now(),
        )
        if not updated:
            raise ConcurrentEditError()
        now = clock.now()

        _save_rows(
            Decision,
            meeting,
            decisions,
            values=_decision_values,
            removed="A decision on this form was removed meanwhile. Reload the page.",
            now=now,
        )
        _save_rows(
            ActionItem,
            meeting,
            action_items,
            values=lambda row: _action_item_values(row, team),
            removed="An action item on this form was removed meanwhile. Reload the page.",
            now=now,
            project=meeting.project,
        )
        meeting.refresh_from_db()
    return meeting


def _decision_values(row: DecisionRow) -> dict | None:
    text = row.summary.strip()
    return None if row.remove or not text else {"summary": text}


def _action_item_values(row: ActionItemRow, team) -> dict | None:
    title = row.title.strip()
    if row.remove or not title:
        return None
    if row.owner is None or row.owner.pk not in team:
        raise ServiceError(f"Action “{title}” needs an owner from the project team.")
    if row.due_date is None:
        raise ServiceError(f"Action “{title}” needs a due date.")
    return {"title": title, "owner": row.owner, "due_date": row.due_date}


def _save_rows(model, meeting: Meeting, rows, *, values, removed: str, now, **create_extra) -> None:
    """Reconcile a formset's rows with the meeting's live rows of `model` (decisions, action items).

    Rows keep the order given; `values(row)` gives the fields to save, or None for a row marked
    `remove` or left empty, which is struck (kept as a record, never deleted). A row id that is not
    one of this meeting's rows is refused; one struck meanwhile asks for a reload (`removed`).
    """
    existing = {r.pk: r for r in model.objects.filter(meeting=meeting, removed_at__isnull=True)}
    position = 0
    for row in rows:
        current = existing.get(row.id) if row.id else None
        if row.id and current is None:
            if not model.objects.filter(pk=row.id, meeting=meeting).exists():
                raise NotAllowed("That row belongs to another meeting.")
            raise ServiceError(removed)
        fields = values(row)
        if fields is None:
            if current is not None:
                model.objects.filter(pk=current.pk).update(removed_at=now)
            continue
        position += 1
        fields["position"] = position
        if current is None:
            model.objects.create(meeting=meeting, **create_extra, **fields)
        elif any(getattr(current, k) != v for k, v in fields.items()):
            model.objects.filter(pk=current.pk).update(**fields)
    project_data_changed.send(sender=model, project_id=meeting.project_id)


def meeting_close_minutes(*, access: ProjectAccess, meeting: Meeting) -> Meeting:
    """Close the meeting: the minutes lock and go to the attendees (with the PDF) and to
    the sponsor, who confirms them or asks for a correction."""
    require_in_project(access, meeting)
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.MINUTES_DRAFT, doing="close the minutes")
    if meeting.attendance_recorded_at is None:
        raise ServiceError("Record who attended before closing the minutes.")
    if not meeting.summary.strip():
        raise ServiceError("Write a summary of the discussion before closing the minutes.")
    resend = meeting.correction_requested_at is not None
    with transaction.atomic(), audited("Corrected minutes sent" if resend else "Minutes closed and sent"):
        transition(
            meeting,
            expected=[MeetingStatus.MINUTES_DRAFT],
            status=MeetingStatus.MINUTES_SENT,
            minutes_sent_at=clock.now(),
            minutes_sent_by=access.user,
            version=F("version") + 1,
        )
        enqueue_on_commit(tasks.deliver_minutes, meeting.pk)
        emit("minutes.sent", project_id=meeting.project_id, subject=meeting)
    return meeting


def meeting_confirm_minutes(*, access: ProjectAccess, meeting: Meeting) -> Meeting:
    """The sponsor lead or decision-maker confirms the sent minutes (who and when are recorded)."""
    require_in_project(access, meeting)
    if not permissions.can_confirm_minutes(access):
        raise NotAllowed("Only the sponsor's project lead or decision-maker confirms minutes.")
    require_status(meeting, MeetingStatus.MINUTES_SENT, doing="confirm the minutes")
    with transaction.atomic(), audited("Minutes confirmed by the sponsor"):
        transition(
            meeting,
            expected=[MeetingStatus.MINUTES_SENT],
            status=MeetingStatus.CONFIRMED,
            minutes_confirmed_at=clock.now(),
            minutes_confirmed_by=access.user,
            version=F("version") + 1,
        )
        enqueue_on_commit(tasks.deliver_minutes_reviewed, meeting.pk)
        emit("minutes.confirmed", project_id=meeting.project_id, subject=meeting)
    return meeting


def meeting_request_correction(*, access: ProjectAccess, meeting: Meeting, note: str) -> Meeting:
    """The sponsor asks for a correction: the minutes reopen for the organizer's side,
    with the request shown until they are corrected and sent again."""
    require_in_project(access, meeting)
    if not permissions.can_confirm_minutes(access):
        raise NotAllowed("Only the sponsor's project lead or decision-maker can ask for a correction.")
    require_status(meeting, MeetingStatus.MINUTES_SENT, doing="ask for a correction")
    note = note.strip()
    if not note:
        raise ServiceError("Say what needs correcting.")
    with transaction.atomic(), audited("Correction of the minutes requested"):
        transition(
            meeting,
            expected=[MeetingStatus.MINUTES_SENT],
            status=MeetingStatus.MINUTES_DRAFT,
            correction_requested_at=clock.now(),
            correction_requested_by=access.user,
            correction_note=note[:4000],
            version=F("version") + 1,
        )
        enqueue_on_commit(tasks.deliver_minutes_reviewed, meeting.pk)
    return meeting
