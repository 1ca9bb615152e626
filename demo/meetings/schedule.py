"""The demo's meetings scheduled, their invitations answered and their agendas written, through the services."""

from __future__ import annotations

import datetime

from demo.common import replayed
from meetings import services
from meetings.models import Invitee, Meeting, MeetingKind
from meetings.services import InviteeSpec
from projects.models import TeamRole
from projects.selectors import access_for

TITLES = {
    MeetingKind.WEEKLY: "Weekly project call",
    MeetingKind.GOVERNANCE: "Quarterly steering committee",
    MeetingKind.SITE_VISIT: "Sponsor site visit: fill-finish line",
    MeetingKind.KICKOFF: "Project kickoff",
    MeetingKind.TECHNICAL_REVIEW: "Technical review",
}
# Invitations go out six days ahead (or today, for a meeting further out).
INVITED_AHEAD = datetime.timedelta(days=6)


def schedule(
    project,
    team,
    pm,
    starts_at: datetime.datetime,
    kind: str,
    *,
    now: datetime.datetime,
    exclude_roles=frozenset(),
    location: str = "",
    video_url: str | None = None,
) -> tuple[Meeting, list[Invitee]]:
    """The PM schedules the meeting when its invitations go out, inviting the team (less
    `exclude_roles`). Returns the meeting and its invitees in the team's order."""
    if video_url is None:
        video_url = f"https://teams.example.com/l/meetup-join/{project.code.lower()}-{kind}"
    members = [m for m in team.members if m.role not in exclude_roles]
    invited_at = min(starts_at - INVITED_AHEAD, now)
    with replayed(invited_at):
        meeting = services.meeting_schedule(
            access=access_for(user=pm.user, project=project),
            kind=kind,
            title=TITLES[kind],
            starts_at=starts_at,
            duration_minutes=90 if kind == MeetingKind.GOVERNANCE else 60,
            location=location,
            video_url=video_url,
            invitees=[
                InviteeSpec(
                    user=m.user, required=m.role not in (TeamRole.CDMO_MEMBER, TeamRole.SPONSOR_MEMBER)
                )
                for m in members
                if m.user_id != pm.user_id
            ],
            # A meeting of the story that invites no decision-maker leaves them out on purpose.
            without_decision_maker=not any(m.role == TeamRole.DECISION_MAKER for m in members),
        )
    by_user = {i.user_id: i for i in Invitee.objects.filter(meeting=meeting)}
    return meeting, [by_user[m.user_id] for m in members if m.user_id in by_user]


def reply(invitee: Invitee, meeting: Meeting, response: str, at: datetime.datetime) -> None:
    """The invitee answers the invitation themselves (the organizer has accepted already)."""
    if invitee.user_id == meeting.organizer_id:
        return
    with replayed(at):
        services.invitee_rsvp(user=invitee.user, meeting=meeting, response=response)


def write_agenda(meeting: Meeting, team, pm, items, *, at: datetime.datetime, send_at=None) -> None:
    """The PM writes the agenda at `at` and, if `send_at` is given, sends it then."""
    access = access_for(user=pm.user, project=meeting.project)
    with replayed(at):
        for title, role, minutes in items:
            services.agenda_item_add(
                access=access,
                meeting=meeting,
                title=title,
                presenter=team.user(role),
                minutes_allotted=minutes,
            )
    if send_at is not None:
        with replayed(send_at):
            services.meeting_send_agenda(access=access, meeting=meeting)


def cancel(meeting: Meeting, pm, reason: str, at: datetime.datetime) -> None:
    with replayed(at):
        services.meeting_cancel(
            access=access_for(user=pm.user, project=meeting.project), meeting=meeting, reason=reason
        )
