"""The meetings app's rows in the project's history: how each reaches its project, and their words.

Registered from `MeetingsConfig.ready()` (`portal.core.history_scope`, `portal.core.history`).
"""

from __future__ import annotations

PROJECT_PATHS = {
    "meetings.Meeting": "project",
    "meetings.ActionItem": "project",
    "meetings.AgendaItem": "meeting__project",
    "meetings.Invitee": "meeting__project",
    "meetings.Decision": "meeting__project",
}


def _removable(record: str, added: str):
    def headline(data: dict, created: bool) -> str:
        if created:
            return added
        return f"{record} removed" if data.get("removed_at") else f"{record} changed"

    return headline


decision_headline = _removable("Meeting decision", "Meeting decision recorded")
agenda_item_headline = _removable("Agenda item", "Agenda item added")
invitee_headline = _removable("Invitation", "Invited to a meeting")
