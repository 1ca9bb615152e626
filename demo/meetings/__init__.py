"""Demo meeting history: weekly calls, quarterly steering committees, minutes, action items.

For every active demo project: ten weeks of weekly calls with attendance and minutes
(most confirmed by the sponsor, the latest ones awaiting confirmation, one with a
correction requested, one still in draft), a quarterly governance meeting, and next
week's call with its agenda. ACM-101's decision-maker missed the last two steering
committees (the red flag the monitoring issue looks for); HLX-201 has no decision-maker
to invite at all.

Through the services, each step replayed at the moment it happened (`demo.common.replayed`: the
clock answers then, nobody is emailed): the PM schedules every meeting with its invitees six days
ahead (past meetings included: at that moment they were ahead), writes the agenda and sends it two
days ahead; invitees answer the day before; the skipped call is cancelled; the PM records attendance
two hours after the start (the service marks the meeting held then) and writes the minutes and
decisions and action items an hour later; the minutes are closed, confirmed or sent back for
correction; owners mark their done action items done at noon on the day they fell due.
Nothing in the meetings demo is written directly any more.
Idempotent: a project that already has meetings is left alone.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo

from django.utils import timezone

from demo.common import at_local
from demo.meetings.content import (
    ACTIONS,
    AWAITING_CONFIRMATION,
    CORRECTION_REQUESTED,
    DECISION_MAKER_STOPPED_COMING,
    DECISIONS,
    GOVERNANCE_AGENDA,
    GOVERNANCE_DECISIONS,
    MINUTES_IN_DRAFT,
    PROGRESS,
    SETTLED,
    TOPICS,
    WEEKLY_AGENDA,
    WEEKS_OF_HISTORY,
)
from demo.meetings.minutes import PlannedAction, close_minutes
from demo.meetings.schedule import INVITED_AHEAD, cancel, reply, schedule, write_agenda
from meetings.models import (
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from projects.models import SPONSOR_ROLES, Project, ProjectMember, ProjectStatus, TeamRole


def seed(world) -> None:
    for project in world.projects:
        if project.status != ProjectStatus.ACTIVE:
            continue
        if Meeting.objects.filter(project=project).exists():
            continue
        _seed_project(project)


class _Team:
    def __init__(self, project: Project):
        self.members = list(
            ProjectMember.objects.filter(project=project, removed_at__isnull=True).select_related("user")
        )

    def by_role(self, role: str):
        return next((m for m in self.members if m.role == role), None)

    def user(self, role: str):
        # A role the team lacks falls to the lead of the same side (never across sides).
        fallback = TeamRole.SPONSOR_LEAD if role in SPONSOR_ROLES else TeamRole.PROJECT_MANAGER
        member = self.by_role(role) or self.by_role(fallback)
        return member.user if member else None


def _slots(
    weekday: int, hour: int, zone: str, now: datetime.datetime
) -> tuple[datetime.date, datetime.date, datetime.date | None]:
    """The project's latest settled call, its next call and a slot in between (if any).

    Computed from instants, not dates, so the story holds at any hour in any zone: the latest
    call started at least SETTLED ago (its minutes are sent and confirmed by now), the next one
    starts after now; a slot in the last two days lies between them.
    """
    day = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    day -= datetime.timedelta(days=(day.weekday() - weekday) % 7)
    while at_local(day, hour, 0, zone) > now - SETTLED:
        day -= datetime.timedelta(weeks=1)
    following = day + datetime.timedelta(weeks=1)
    if at_local(following, hour, 0, zone) > now:
        return day, following, None
    return day, following + datetime.timedelta(weeks=1), following


def _seed_project(project: Project) -> None:
    rng = random.Random(project.code)
    team = _Team(project)
    pm = team.by_role(TeamRole.PROJECT_MANAGER)
    if pm is None:
        return
    zone = pm.user.time_zone or "UTC"
    # Each project has its own slot (a PM runs several calls a week). Transatlantic calls
    # sit in the overlap: afternoon in Europe, morning in the Americas.
    weekday = rng.choice([0, 1, 2, 3])
    hour = rng.choice([14, 15, 16] if zone.startswith("Europe/") else [8, 9, 10])
    now = timezone.now()
    last_call, upcoming_day, skipped_day = _slots(weekday, hour, zone, now)

    for week in range(WEEKS_OF_HISTORY, 0, -1):
        day = last_call - datetime.timedelta(weeks=week - 1)
        if day < project.start_date:
            continue
        latest = week == 1
        if latest and project.code == MINUTES_IN_DRAFT:
            status = MeetingStatus.MINUTES_DRAFT
        elif latest and project.code in AWAITING_CONFIRMATION:
            status = MeetingStatus.MINUTES_SENT
        elif week == 2 and project.code == CORRECTION_REQUESTED:
            status = "correction"
        else:
            status = MeetingStatus.CONFIRMED
        _weekly_call(project, team, pm, at_local(day, hour, 0, zone), status, rng, week, now=now)

    # Quarterly steering committee (and, for one project, the one before it too).
    governance_days = [last_call - datetime.timedelta(weeks=3, days=-1)]
    if project.code == DECISION_MAKER_STOPPED_COMING:
        governance_days.insert(0, last_call - datetime.timedelta(weeks=16, days=-1))
    for day in governance_days:
        if day >= project.start_date:
            _governance(
                project,
                team,
                pm,
                at_local(day, hour + 1, 0, zone),
                dm_absent=project.code == DECISION_MAKER_STOPPED_COMING,
                rng=rng,
                week=(last_call - day).days // 7 + 1,
                now=now,
            )

    if skipped_day is not None:
        # This week's slot fell in the last two days: called off, so the latest call shown has
        # settled minutes whatever the hour the demo is seeded at.
        skipped, _ = schedule(
            project,
            team,
            pm,
            at_local(skipped_day, hour, 0, zone),
            MeetingKind.WEEKLY,
            now=now,
            exclude_roles={TeamRole.DECISION_MAKER},
        )
        cancel(
            skipped,
            pm,
            "Public holiday at the CDMO site; topics move to next week's call.",
            at=skipped.starts_at - datetime.timedelta(days=3),
        )

    # Next week's call, invitations out, agenda sent, some replies in.
    upcoming, invitees = schedule(
        project,
        team,
        pm,
        at_local(upcoming_day, hour, 0, zone),
        MeetingKind.WEEKLY,
        now=now,
        exclude_roles={TeamRole.DECISION_MAKER},
    )
    for invitee in invitees:
        if invitee.user_id != pm.user_id:
            response = rng.choice([Rsvp.ACCEPTED, Rsvp.ACCEPTED, Rsvp.TENTATIVE, Rsvp.PENDING])
            if response != Rsvp.PENDING:
                reply(invitee, upcoming, response, at=now)
    write_agenda(
        upcoming, team, pm, WEEKLY_AGENDA, at=min(upcoming.starts_at - INVITED_AHEAD, now), send_at=now
    )

    if project.code == "ACM-114":
        # A steering committee next month, the decision-maker invited.
        steerco, _ = schedule(
            project,
            team,
            pm,
            at_local(last_call + datetime.timedelta(weeks=4, days=1), hour + 1, 0, zone),
            MeetingKind.GOVERNANCE,
            now=now,
        )
        write_agenda(steerco, team, pm, GOVERNANCE_AGENDA, at=now)
    if project.code == "KST-415":
        # A steering committee scheduled without the decision-maker: the page warns about it.
        schedule(
            project,
            team,
            pm,
            at_local(last_call + datetime.timedelta(weeks=2, days=2), hour + 1, 0, zone),
            MeetingKind.GOVERNANCE,
            now=now,
            exclude_roles={TeamRole.DECISION_MAKER},
        )
    if project.code == "ACM-087":
        schedule(
            project,
            team,
            pm,
            at_local(last_call + datetime.timedelta(weeks=2, days=1), 9, 30, zone),
            MeetingKind.SITE_VISIT,
            now=now,
            location="Northbridge Biologics, Building C (fill-finish), Industriestraße 12, Marburg",
            video_url="",
        )


def _held(project, team, pm, starts_at, kind, *, now, agenda, exclude_roles=frozenset()):
    """A meeting now past: scheduled six days ahead, its agenda written then and sent two days ahead."""
    meeting, invitees = schedule(project, team, pm, starts_at, kind, now=now, exclude_roles=exclude_roles)
    write_agenda(
        meeting,
        team,
        pm,
        agenda,
        at=starts_at - INVITED_AHEAD,
        send_at=starts_at - datetime.timedelta(days=2),
    )
    return meeting, invitees


def _weekly_call(project, team, pm, starts_at, status, rng, week, *, now) -> None:
    meeting, invitees = _held(
        project,
        team,
        pm,
        starts_at,
        MeetingKind.WEEKLY,
        now=now,
        exclude_roles={TeamRole.DECISION_MAKER},
        agenda=WEEKLY_AGENDA[: rng.randint(3, 5)],
    )
    marks = {}
    for invitee in invitees:
        absent = invitee.user_id != pm.user_id and rng.random() < 0.18
        reply(
            invitee,
            meeting,
            Rsvp.DECLINED if absent and rng.random() < 0.5 else Rsvp.ACCEPTED,
            at=starts_at - REPLIED_AHEAD,
        )
        marks[invitee.pk] = Attendance.ABSENT if absent else Attendance.ATTENDED
    topic_a, topic_b = rng.sample(TOPICS, 2)
    summary = (
        f"Went through {topic_a}: {project.cdmo.name} reported that the work {rng.choice(PROGRESS)}. "
        f"{project.sponsor.name} asked about {topic_b}; the team walked through the data and the remaining risks.\n\n"
        "Open actions from the previous call were reviewed; overdue ones are carried forward below."
    )
    decisions = rng.sample(DECISIONS, rng.randint(0, 2))
    if status == "correction":  # the sponsor's correction note is about this decision
        decisions = [DECISIONS[0], *[d for d in decisions if d != DECISIONS[0]]]
    actions = _action_items(meeting, team, rng, count=rng.randint(1, 3), week=week)
    if week in (1, 3):
        # The sponsor lead always has something on their list: one due soon, one slipping.
        actions += _lead_action(meeting, team, week, actions)
    close_minutes(
        meeting,
        team,
        starts_at,
        status,
        marks=marks,
        summary=summary,
        next_steps="Same time next week. Engineering batch preparation continues.",
        decisions=decisions,
        actions=actions,
    )


def _governance(project, team, pm, starts_at, *, dm_absent: bool, rng, week: int, now) -> None:
    meeting, invitees = _held(
        project, team, pm, starts_at, MeetingKind.GOVERNANCE, now=now, agenda=GOVERNANCE_AGENDA
    )
    marks = {}
    for invitee in invitees:
        absent = invitee.team_role == TeamRole.DECISION_MAKER and dm_absent
        reply(invitee, meeting, Rsvp.TENTATIVE if absent else Rsvp.ACCEPTED, at=starts_at - REPLIED_AHEAD)
        marks[invitee.pk] = Attendance.ABSENT if absent else Attendance.ATTENDED
    summary = (
        "Programme review against the contracted baseline: schedule amber because of the resin lead time, "
        "budget green, quality green, supply amber. Both sides reviewed how communication is working."
    )
    if dm_absent:
        summary += " The sponsor's decision-maker could not attend; the budget decision is deferred."
    decisions = GOVERNANCE_DECISIONS[1:] if dm_absent else GOVERNANCE_DECISIONS
    actions = _action_items(meeting, team, rng, count=2, week=week)
    close_minutes(
        meeting,
        team,
        starts_at,
        MeetingStatus.CONFIRMED,
        marks=marks,
        summary=summary,
        next_steps="Next steering committee in three months.",
        decisions=decisions,
        actions=actions,
    )


# Replies to an invitation come in the day before the meeting.
REPLIED_AHEAD = datetime.timedelta(days=1)


def _action_items(meeting, team, rng, *, count: int, week: int) -> list[PlannedAction]:
    starts = meeting.starts_at.date()
    today = timezone.localdate()
    actions = []
    for title, role in rng.sample(ACTIONS, count):
        owner = team.user(role)
        due = starts + datetime.timedelta(days=rng.choice([5, 7, 10, 14]))
        # Older items are mostly done; a few stay open past their date (overdue). Items from before
        # the weekly history are all done. Always draw, so the story does not shift with the date.
        roll = rng.random()
        done = due < today and (week > WEEKS_OF_HISTORY or roll < (0.96 if week > 3 else 0.75))
        actions.append(PlannedAction(title, owner, due, done))
    return actions


def _lead_action(meeting, team, week: int, actions: list[PlannedAction]) -> list[PlannedAction]:
    """The sponsor lead's own action, unless they already own one of `actions`."""
    lead = team.user(TeamRole.SPONSOR_LEAD)
    title = (
        "Approve the revised release specification"
        if week == 1
        else "Send the sponsor's comments on the tech transfer report"
    )
    if lead is None or any(a.owner == lead for a in actions):
        return []
    due = meeting.starts_at.date() + datetime.timedelta(days=7 if week == 1 else 10)
    return [PlannedAction(title, lead, due, done=False)]
