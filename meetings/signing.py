"""What a signature on minutes covers: the minutes as the sponsor reads them before confirming.

The summary, who attended, the decisions, the action items and the next steps (what, who, by when); not the
meeting's status or an action item's progress, which move on after the minutes are confirmed.
Sent minutes are locked by the database, so a signed copy only stops matching when someone
tampers with it.
"""

from __future__ import annotations

from .models import Meeting


def _person(user, fallback: str = "") -> str:
    return (user.full_name or user.email) if user is not None else fallback


def minutes_signed_content(meeting: Meeting) -> dict:
    invitees = meeting.invitees.filter(removed_at__isnull=True).select_related("user").order_by("pk")
    decisions = meeting.decisions.filter(removed_at__isnull=True).order_by("position", "pk")
    action_items = meeting.action_items.filter(removed_at__isnull=True).select_related("owner")
    return {
        "meeting": {
            "id": meeting.pk,
            "project": meeting.project_id,
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "duration_minutes": meeting.duration_minutes,
        },
        "summary": meeting.summary,
        "next_steps": meeting.next_steps,
        "attendance": [
            {
                "name": _person(invitee.user, invitee.guest_name or invitee.guest_email),
                "attendance": invitee.get_attendance_display(),
            }
            for invitee in invitees
        ],
        "decisions": [decision.summary for decision in decisions],
        "action_items": [
            {"action": item.title, "owner": _person(item.owner), "due": item.due_date.isoformat()}
            for item in action_items.order_by("position", "pk")
        ],
    }
