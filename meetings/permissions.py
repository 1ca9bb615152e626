"""Who may do what with a meeting: the only place these rules are written.

Services refuse with them, views answer 403 with them and templates ask them through
`{% can "meetings.<verb>" access meeting as x %}` (registered in `MeetingsConfig.ready`).

The rules, in plain words:
- Anyone on the project team (either side), and admins of either party, may
  schedule a meeting. The person who schedules it is the organizer, and their
  side (sponsor or CDMO) *runs* it.
- Running a meeting (details, agenda, invitees, attendance, minutes, closing it)
  belongs to the organizer's side: team members of that side and admins of that
  organization. For the usual CDMO-run calls that is the CDMO team. They prepare it
  (agenda, invitees, time and place) while it is scheduled, and record attendance and
  minutes once it has started, until the minutes are sent.
- The minutes are read by everyone on the project once sent; while in draft only by the
  side that runs the meeting.
- Only the sponsor confirms minutes or asks for a correction: the sponsor project
  lead or the decision-maker on the project team. Confirming is an approval of
  record, so org-wide roles (admins, executives) do not get it by seeing the project.
- An action item's owner (or the side that runs its meeting) marks it done.
"""

from __future__ import annotations

from projects.models import TeamRole
from projects.selectors import ProjectAccess

from .models import ActionItem, Meeting

CONFIRMING_ROLES = frozenset({TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER})


def can_schedule(access: ProjectAccess, obj=None) -> bool:
    return bool(access.roles) or access.is_org_admin


def can_run(access: ProjectAccess, meeting: Meeting) -> bool:
    return access.side == meeting.organizer_side and can_schedule(access)


def can_prepare(access: ProjectAccess, meeting: Meeting) -> bool:
    """Agenda, invitees, time and place: the running side, while the meeting is scheduled."""
    return can_run(access, meeting) and meeting.is_scheduled


def can_record_minutes(access: ProjectAccess, meeting: Meeting) -> bool:
    """Attendance and minutes: the running side, once the meeting started, until they are sent."""
    return can_run(access, meeting) and meeting.minutes_editable and meeting.has_started


def can_read_minutes(access: ProjectAccess, meeting: Meeting) -> bool:
    return meeting.minutes_locked or (can_run(access, meeting) and meeting.minutes_in_draft)


def can_confirm_minutes(access: ProjectAccess, meeting: Meeting | None = None) -> bool:
    """The sponsor lead or decision-maker; given a meeting, also that its minutes await them."""
    confirms = access.is_sponsor and bool(access.roles & CONFIRMING_ROLES)
    return confirms and (meeting is None or meeting.minutes_awaiting_confirmation)


def can_complete_action_item(access: ProjectAccess, item: ActionItem) -> bool:
    return item.owner_id == access.user.pk or can_run(access, item.meeting)
