"""Demo meeting history: weekly calls, quarterly steering committees, minutes, action items.

For every active demo project: ten weeks of weekly calls with attendance and minutes
(most confirmed by the sponsor, the latest ones awaiting confirmation, one with a
correction requested, one still in draft), a quarterly governance meeting, and next
week's call with its agenda. ACM-101's decision-maker missed the last two steering
committees (the red flag the monitoring issue looks for); HLX-201 has no decision-maker
to invite at all.

The minutes are closed, confirmed and sent back for correction through the services, replayed
at the moment each happened (`demo.common.replayed`: nobody is emailed); the meetings, invitees,
agendas, attendance, decisions and action items are written directly. Idempotent: a project that
already has meetings is left alone.
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
from demo.meetings.minutes import close_minutes
from meetings.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Attendance,
    Decision,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from projects.models import SPONSOR_ROLES, Project, ProjectMember, ProjectStatus, Side, TeamRole


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
        _weekly_call(project, team, pm, at_local(day, hour, 0, zone), status, rng, week)

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
            )

    if skipped_day is not None:
        # This week's slot fell in the last two days: called off, so the latest call shown has
        # settled minutes whatever the hour the demo is seeded at.
        skipped = _meeting(project, pm, at_local(skipped_day, hour, 0, zone), MeetingKind.WEEKLY)
        Meeting.objects.filter(pk=skipped.pk).update(
            status=MeetingStatus.CANCELLED,
            cancelled_at=skipped.starts_at - datetime.timedelta(days=3),
            cancelled_by=pm.user,
            cancellation_reason="Public holiday at the CDMO site; topics move to next week's call.",
        )

    # Next week's call, invitations out, agenda sent, some replies in.
    upcoming = _meeting(project, pm, at_local(upcoming_day, hour, 0, zone), MeetingKind.WEEKLY)
    invitees = _invite(upcoming, team, exclude_roles={TeamRole.DECISION_MAKER})
    for invitee in invitees:
        if invitee.user_id != pm.user_id:
            invitee.rsvp = rng.choice([Rsvp.ACCEPTED, Rsvp.ACCEPTED, Rsvp.TENTATIVE, Rsvp.PENDING])
            invitee.rsvp_at = timezone.now() if invitee.rsvp != Rsvp.PENDING else None
            invitee.save(update_fields=["rsvp", "rsvp_at"])
    _agenda(upcoming, team, WEEKLY_AGENDA)
    Meeting.objects.filter(pk=upcoming.pk).update(agenda_sent_at=timezone.now(), ical_sequence=1)

    if project.code == "ACM-114":
        # A steering committee next month, the decision-maker invited.
        steerco = _meeting(
            project,
            pm,
            at_local(last_call + datetime.timedelta(weeks=4, days=1), hour + 1, 0, zone),
            MeetingKind.GOVERNANCE,
        )
        _invite(steerco, team)
        _agenda(steerco, team, GOVERNANCE_AGENDA)
    if project.code == "KST-415":
        # A steering committee scheduled without the decision-maker: the page warns about it.
        steerco = _meeting(
            project,
            pm,
            at_local(last_call + datetime.timedelta(weeks=2, days=2), hour + 1, 0, zone),
            MeetingKind.GOVERNANCE,
        )
        _invite(steerco, team, exclude_roles={TeamRole.DECISION_MAKER})
    if project.code == "ACM-087":
        visit = _meeting(
            project,
            pm,
            at_local(last_call + datetime.timedelta(weeks=2, days=1), 9, 30, zone),
            MeetingKind.SITE_VISIT,
        )
        Meeting.objects.filter(pk=visit.pk).update(
            video_url="",
            location="Northbridge Biologics, Building C (fill-finish), Industriestraße 12, Marburg",
        )
        _invite(visit, team)


def _meeting(project, pm, starts_at, kind, **extra) -> Meeting:
    titles = {
        MeetingKind.WEEKLY: "Weekly project call",
        MeetingKind.GOVERNANCE: "Quarterly steering committee",
        MeetingKind.SITE_VISIT: "Sponsor site visit: fill-finish line",
        MeetingKind.KICKOFF: "Project kickoff",
        MeetingKind.TECHNICAL_REVIEW: "Technical review",
    }
    return Meeting.objects.create(
        project=project,
        kind=kind,
        title=titles[kind],
        starts_at=starts_at,
        duration_minutes=90 if kind == MeetingKind.GOVERNANCE else 60,
        organizer=pm.user,
        organizer_side=Side.CDMO,
        organizer_time_zone=pm.user.time_zone or "UTC",
        video_url=f"https://teams.example.com/l/meetup-join/{project.code.lower()}-{kind}",
        **extra,
    )


def _invite(meeting: Meeting, team: _Team, exclude_roles=frozenset()) -> list[Invitee]:
    invitees = []
    for member in team.members:
        if member.role in exclude_roles:
            continue
        invitees.append(
            Invitee.objects.create(
                meeting=meeting,
                user=member.user,
                side=member.side,
                team_role=member.role,
                required=member.role not in (TeamRole.CDMO_MEMBER, TeamRole.SPONSOR_MEMBER),
                rsvp=Rsvp.ACCEPTED if member.user_id == meeting.organizer_id else Rsvp.PENDING,
                # Invitations go out six days ahead, or today for a meeting further out.
                invited_at=min(meeting.starts_at - datetime.timedelta(days=6), timezone.now()),
            )
        )
    dm_invited = any(i.team_role == TeamRole.DECISION_MAKER for i in invitees)
    Meeting.objects.filter(pk=meeting.pk).update(decision_maker_invited=dm_invited)
    return invitees


def _agenda(meeting: Meeting, team: _Team, items) -> None:
    for position, (title, role, minutes) in enumerate(items, start=1):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=title,
            presenter=team.user(role),
            minutes_allotted=minutes,
        )


def _weekly_call(project, team, pm, starts_at, status, rng, week) -> None:
    meeting = _meeting(project, pm, starts_at, MeetingKind.WEEKLY)
    invitees = _invite(meeting, team, exclude_roles={TeamRole.DECISION_MAKER})
    _agenda(meeting, team, WEEKLY_AGENDA[: rng.randint(3, 5)])
    for invitee in invitees:
        absent = invitee.user_id != pm.user_id and rng.random() < 0.18
        invitee.rsvp = Rsvp.DECLINED if absent and rng.random() < 0.5 else Rsvp.ACCEPTED
        invitee.attendance = Attendance.ABSENT if absent else Attendance.ATTENDED
        invitee.save(update_fields=["rsvp", "attendance"])
    topic_a, topic_b = rng.sample(TOPICS, 2)
    summary = (
        f"Went through {topic_a}: {project.cdmo.name} reported that the work {rng.choice(PROGRESS)}. "
        f"{project.sponsor.name} asked about {topic_b}; the team walked through the data and the remaining risks.\n\n"
        "Open actions from the previous call were reviewed; overdue ones are carried forward below."
    )
    decisions = rng.sample(DECISIONS, rng.randint(0, 2))
    if status == "correction":  # the sponsor's correction note is about this decision
        decisions = [DECISIONS[0], *[d for d in decisions if d != DECISIONS[0]]]
    for position, text in enumerate(decisions, start=1):
        Decision.objects.create(meeting=meeting, position=position, summary=text)
    _action_items(meeting, team, rng, count=rng.randint(1, 3), week=week)
    if week in (1, 3):
        # The sponsor lead always has something on their list: one due soon, one slipping.
        _lead_action(meeting, team, week)
    close_minutes(
        meeting,
        team,
        starts_at,
        status,
        summary,
        "Same time next week. Engineering batch preparation continues.",
    )


def _governance(project, team, pm, starts_at, *, dm_absent: bool, rng, week: int) -> None:
    meeting = _meeting(project, pm, starts_at, MeetingKind.GOVERNANCE)
    invitees = _invite(meeting, team)
    _agenda(meeting, team, GOVERNANCE_AGENDA)
    for invitee in invitees:
        absent = invitee.team_role == TeamRole.DECISION_MAKER and dm_absent
        invitee.rsvp = Rsvp.TENTATIVE if absent else Rsvp.ACCEPTED
        invitee.attendance = Attendance.ABSENT if absent else Attendance.ATTENDED
        invitee.save(update_fields=["rsvp", "attendance"])
    summary = (
        "Programme review against the contracted baseline: schedule amber because of the resin lead time, "
        "budget green, quality green, supply amber. Both sides reviewed how communication is working."
    )
    if dm_absent:
        summary += " The sponsor's decision-maker could not attend; the budget decision is deferred."
    decisions = GOVERNANCE_DECISIONS[1:] if dm_absent else GOVERNANCE_DECISIONS
    for position, text in enumerate(decisions, start=1):
        Decision.objects.create(meeting=meeting, position=position, summary=text)
    _action_items(meeting, team, rng, count=2, week=week)
    close_minutes(
        meeting, team, starts_at, MeetingStatus.CONFIRMED, summary, "Next steering committee in three months."
    )


def _action_items(meeting, team, rng, *, count: int, week: int) -> None:
    starts = meeting.starts_at.date()
    today = timezone.localdate()
    for position, (title, role) in enumerate(rng.sample(ACTIONS, count), start=1):
        owner = team.user(role)
        due = starts + datetime.timedelta(days=rng.choice([5, 7, 10, 14]))
        # Older items are mostly done; a few stay open past their date (overdue). Items from before
        # the weekly history are all done. Always draw, so the story does not shift with the date.
        roll = rng.random()
        done = due < today and (week > WEEKS_OF_HISTORY or roll < (0.96 if week > 3 else 0.75))
        ActionItem.objects.create(
            project=meeting.project,
            meeting=meeting,
            position=position,
            title=title,
            owner=owner,
            due_date=due,
            status=ActionItemStatus.DONE if done else ActionItemStatus.OPEN,
            completed_at=timezone.make_aware(datetime.datetime.combine(due, datetime.time(12)))
            if done
            else None,
            completed_by=owner if done else None,
        )


def _lead_action(meeting, team, week: int) -> None:
    lead = team.user(TeamRole.SPONSOR_LEAD)
    title = (
        "Approve the revised release specification"
        if week == 1
        else "Send the sponsor's comments on the tech transfer report"
    )
    if lead is None or ActionItem.objects.filter(meeting=meeting, owner=lead).exists():
        return
    ActionItem.objects.create(
        project=meeting.project,
        meeting=meeting,
        position=9,
        title=title,
        owner=lead,
        due_date=meeting.starts_at.date() + datetime.timedelta(days=7 if week == 1 else 10),
    )
