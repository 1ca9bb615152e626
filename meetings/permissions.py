"""Who may do what with a meeting. Services and templates both ask here.

The rules, in plain words:
- Anyone on the project team (either side), and admins of either party, may
  schedule a meeting. The person who schedules it is the organizer, and their
  side (sponsor or CDMO) *runs* it.
- Running a meeting (details, agenda, invitees, attendance, minutes, closing it)
  belongs to the organizer's side: team members of that side and admins of that
  organization. For the usual CDMO-run calls that is the CDMO team.
- Only the sponsor confirms minutes or asks for a correction: the sponsor project
  lead or the decision-maker on the project team. Confirming is an approval of
  record, so org-wide roles (admins, executives) do not get it by seeing the project.
- Invitees answer their own invitation; an action item's owner (or the side that
  runs its meeting) marks it done.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.models import TeamRole
from projects.selectors import ProjectAccess

from .models import ActionItem, Meeting

CONFIRMING_ROLES = frozenset({TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER})


def can_schedule_meetings(access: ProjectAccess) -> bool:
    return bool(access.roles) or access.is_org_admin


def runs_meeting(access: ProjectAccess, meeting: Meeting) -> bool:
    return access.side == meeting.organizer_side and (bool(access.roles) or access.is_org_admin)


def confirms_minutes(access: ProjectAccess) -> bool:
    return access.is_sponsor and bool(access.roles & CONFIRMING_ROLES)


def completes_action_item(access: ProjectAccess, item: ActionItem) -> bool:
    return item.owner_id == access.user.pk or runs_meeting(access, item.meeting)


@dataclass(frozen=True)
class MeetingRights:
    """What the current user may do on one meeting, for templates and views."""

    runs: bool
    confirms: bool

    @classmethod
    def of(cls, access: ProjectAccess, meeting: Meeting) -> MeetingRights:
        return cls(runs=runs_meeting(access, meeting), confirms=confirms_minutes(access))
