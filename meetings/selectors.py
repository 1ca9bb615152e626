"""Reads for meetings. Every page's data in a fixed number of queries.

Visibility comes from the projects selectors: a meeting is visible exactly when
its project is (`get_project_for_user` / `projects_visible_to`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, F, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.accounts.models import User
from projects.models import Milestone, MilestoneStatus, Project, ProjectMember, TeamRole
from projects.selectors import ProjectAccess, matching_text_q, projects_visible_to

from .models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Attendance,
    Decision,
    Invitee,
    Meeting,
    MeetingStatus,
    Rsvp,
)


class EqualsAny(Func):
    """`value = ANY(array)`: true when the array holds the value. With an `ArraySubquery` the
    array is computed once, before the rows are looked at, and the planner expects few rows."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


# Who did what to a meeting: shown on its pages once it happened (most meetings have none yet).
MEETING_PEOPLE = (
    "minutes_sent_by",
    "minutes_confirmed_by",
    "correction_requested_by",
    "cancelled_by",
    "sent_without_decision_maker_by",
)


def get_meeting(*, access: ProjectAccess, meeting_id: int) -> Meeting:
    """The meeting of the access's project, or Http404 (a meeting of another project is not found).

    The people who sent, confirmed, corrected or cancelled it come in one more query, and only
    when there are any: joined to the meeting, eight tables took the planner longer (about 2 ms
    on every meeting page) than reading the meeting did."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("project", "organizer"), pk=meeting_id, project=access.project
    )
    ids = {getattr(meeting, f"{name}_id") for name in MEETING_PEOPLE} - {None}
    if ids:
        people = User.objects.in_bulk(ids)
        for name in MEETING_PEOPLE:
            person_id = getattr(meeting, f"{name}_id")
            if person_id is not None:
                setattr(meeting, name, people[person_id])
    return meeting


def attach_attendance_counts(meetings: list[Meeting]) -> None:
    """Set what a list row shows on each meeting: invited, replies, attended, unexpected, and the
    decision-maker's attendance. One query of the meetings' current invitees, tallied here: the
    same figures as seven annotations, without compiling and grouping them for every list."""
    by_id = {meeting.pk: meeting for meeting in meetings}
    for meeting in by_id.values():
        meeting.invited_count = meeting.accepted_count = meeting.declined_count = 0
        meeting.attended_count = meeting.unexpected_count = 0
        meeting.decision_maker_attended = meeting.decision_maker_absent = False
    if not by_id:
        return
    invitees = (
        Invitee.objects.filter(meeting_id__in=by_id, removed_at__isnull=True)
        .order_by()
        .values_list("meeting_id", "unexpected", "rsvp", "attendance", "team_role")
    )
    for meeting_id, unexpected, rsvp, attendance, team_role in invitees:
        meeting = by_id[meeting_id]
        if unexpected:
            meeting.unexpected_count += 1
        else:
            meeting.invited_count += 1
            meeting.accepted_count += rsvp == Rsvp.ACCEPTED
            meeting.declined_count += rsvp == Rsvp.DECLINED
            meeting.attended_count += attendance == Attendance.ATTENDED
        if team_role == TeamRole.DECISION_MAKER:
            meeting.decision_maker_attended |= attendance == Attendance.ATTENDED
            meeting.decision_maker_absent |= attendance == Attendance.ABSENT


def upcoming_meetings(*, project: Project, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """The project's meetings ahead, soonest first (`attach_attendance_counts` for the rows shown)."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(project=project, starts_at__gte=now)
        .select_related("organizer")
        .order_by("starts_at", "pk")
    )


def past_meetings(
    *, project: Project, kind: str = "", now: datetime.datetime | None = None
) -> QuerySet[Meeting]:
    """The project's meetings held (or due) before now, latest first."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(project=project, starts_at__lt=now)
    if kind:
        meetings = meetings.filter(kind=kind)
    return meetings.select_related("organizer").order_by("-starts_at", "-pk")


def live_action_items() -> QuerySet[ActionItem]:
    """Action items that count: not struck from a draft, not from a cancelled meeting."""
    return ActionItem.objects.filter(removed_at__isnull=True).exclude(meeting__status=MeetingStatus.CANCELLED)


def open_action_items_for_project(*, project: Project) -> QuerySet[ActionItem]:
    return (
        live_action_items()
        .filter(project=project, status=ActionItemStatus.OPEN)
        .select_related("owner", "meeting")
        .order_by("due_date", "pk")
    )


@dataclass
class ActionItemFilters:
    status: str = ActionItemStatus.OPEN  # "" = any
    project: int | None = None
    project_text: str = ""  # typed in the project picker without choosing: code or name contains it
    mine: bool = True


def action_items_for_user(*, user: User, filters: ActionItemFilters) -> QuerySet[ActionItem]:
    """Action items in projects the user may see; by default only theirs and open, soonest due first."""
    items = live_action_items().filter(project__in=projects_visible_to(user=user))
    if filters.mine:
        items = items.filter(owner=user)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.project:
        items = items.filter(project_id=filters.project)
    if filters.project_text:
        items = items.filter(matching_text_q(filters.project_text, prefix="project__"))
    order = ("due_date", "pk") if filters.status == ActionItemStatus.OPEN else ("status", "due_date", "pk")
    return items.select_related("project", "meeting", "owner").order_by(*order)


def action_item_for(*, access: ProjectAccess, actionitem_id: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.select_related("meeting", "owner", "project"),
        pk=actionitem_id,
        project=access.project,
        removed_at__isnull=True,
    )


@dataclass
class MeetingDetail:
    meeting: Meeting
    agenda: list[AgendaItem]
    invitees: list[Invitee]
    decisions: list[Decision]
    action_items: list[ActionItem]

    @property
    def invited(self) -> list[Invitee]:
        return [i for i in self.invitees if not i.unexpected]

    @property
    def attendees(self) -> list[Invitee]:
        return [i for i in self.invitees if i.attendance == Attendance.ATTENDED]

    @property
    def absentees(self) -> list[Invitee]:
        return [i for i in self.invitees if i.attendance == Attendance.ABSENT]

    @property
    def agenda_minutes(self) -> int:
        return sum(item.minutes_allotted or 0 for item in self.agenda)

    @property
    def agenda_overruns(self) -> bool:
        return self.agenda_minutes > self.meeting.duration_minutes

    @property
    def decision_maker_attended(self) -> bool:
        return any(i.is_decision_maker for i in self.attendees)

    def invitee_for(self, user) -> Invitee | None:
        return next((i for i in self.invited if i.user_id == user.pk), None)


def meeting_detail(*, meeting: Meeting) -> MeetingDetail:
    """Everything the meeting page, the minutes PDF and the emails show (five queries)."""
    items = list(
        ActionItem.objects.filter(meeting=meeting, removed_at__isnull=True)
        .select_related("owner")
        .order_by("position", "pk")
    )
    for item in items:
        item.meeting = meeting  # already loaded; saves a query per row
    return MeetingDetail(
        meeting=meeting,
        agenda=list(agenda_items(meeting=meeting)),
        invitees=list(active_invitees(meeting=meeting)),
        decisions=list(decisions(meeting=meeting)),
        action_items=items,
    )


def agenda_items(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).select_related("presenter")


def active_invitees(*, meeting: Meeting) -> QuerySet[Invitee]:
    return (
        Invitee.objects.filter(meeting=meeting, removed_at__isnull=True)
        .select_related("user")
        .order_by("unexpected", "-required", "side", "user__full_name", "guest_name", "pk")
    )


def decisions(*, meeting: Meeting) -> QuerySet[Decision]:
    return Decision.objects.filter(meeting=meeting, removed_at__isnull=True)


# --- Across projects: the person's own meetings --------------------------------------------


def my_upcoming_meeting_ids(*, user: User, now: datetime.datetime | None = None) -> list[int]:
    """Meetings the user is invited to that have not started, in projects they can see, soonest
    first (their ids).

    The person's upcoming invitations are read first, once, as an array (an index-only walk of
    their current invitations joined to the meetings ahead); only those meetings are then checked
    against the visible projects. Written as `Exists(...)`, the planner cannot know that a lead
    on thousands of projects is invited to few meetings ahead, and checks every visible
    project's meetings instead (a lead on 2,500 projects: 13 ms, now 2 ms).
    """
    now = now or timezone.now()
    invited_ahead = ArraySubquery(
        Invitee.objects.filter(user=user, removed_at__isnull=True, meeting__starts_at__gte=now)
        .order_by()
        .values("meeting_id")
    )
    return list(
        Meeting.objects.filter(
            EqualsAny(F("pk"), invited_ahead),
            starts_at__gte=now,
            project__in=projects_visible_to(user=user),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )


class MyUpcomingMeetings:
    """The user's upcoming meetings (`my_upcoming_meeting_ids`) as a list to paginate: the ids
    are read once (they give the count too), then only the shown slice's rows, with the project,
    the organizer and the user's own reply (`my_rsvp`), in one query."""

    def __init__(self, *, user: User, now: datetime.datetime | None = None):
        self.user = user
        self.ids = my_upcoming_meeting_ids(user=user, now=now)

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Meeting]:
        mine = Invitee.objects.filter(meeting=OuterRef("pk"), user=self.user, removed_at__isnull=True)
        rows = (
            Meeting.objects.filter(pk__in=self.ids[index])
            .select_related("project", "organizer")
            .annotate(my_rsvp=Subquery(mine.values("rsvp")[:1]))
            .order_by("starts_at", "pk")
        )
        return list(rows)


def minutes_awaiting_my_confirmation(*, user: User) -> QuerySet[Meeting]:
    """Sent minutes of projects where the user is the sponsor lead or decision-maker."""
    confirming = ProjectMember.objects.filter(
        user=user,
        removed_at__isnull=True,
        role__in=[TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER],
        project__sponsor_id=user.organization_id,
    ).values("project_id")
    return (
        Meeting.objects.filter(status=MeetingStatus.MINUTES_SENT, project_id__in=confirming)
        .select_related("project")
        .order_by("minutes_sent_at", "pk")
    )


def minutes_to_write(*, user: User, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Meetings the user organized that took place and whose minutes are not sent yet."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            organizer=user,
            starts_at__lt=now,
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT],
            project__in=projects_visible_to(user=user),
        )
        .select_related("project")
        .order_by("starts_at", "pk")
    )


# --- Calendar feed ---------------------------------------------------------------------------


def calendar_meetings(
    *, user: User, since: datetime.datetime, until: datetime.datetime | None = None
) -> QuerySet[Meeting]:
    """The user's meetings for their calendar feed: invited, in projects they can see, starting
    from `since` (up to `until`), including cancelled ones (so calendars drop them)."""
    mine = Invitee.objects.filter(meeting=OuterRef("pk"), user=user, removed_at__isnull=True)
    meetings = Meeting.objects.filter(
        Exists(mine), starts_at__gte=since, project__in=projects_visible_to(user=user)
    )
    if until is not None:
        meetings = meetings.filter(starts_at__lt=until)
    return meetings.select_related("project", "organizer").order_by("starts_at", "pk")


def calendar_milestones(
    *, user: User, since: datetime.date | None = None, until: datetime.date | None = None
) -> QuerySet[Milestone]:
    """Milestones (not cancelled) of the projects the user is on the team of, dated (done or
    forecast) between `since` and `until` when given."""
    on_team = ProjectMember.objects.filter(user=user, removed_at__isnull=True).values("project_id")
    milestones = (
        Milestone.objects.filter(project__in=projects_visible_to(user=user).filter(pk__in=on_team))
        .exclude(status=MilestoneStatus.CANCELLED)
        .alias(day=Coalesce("actual_date", "forecast_date"))
    )
    if since is not None:
        milestones = milestones.filter(day__gte=since)
    if until is not None:
        milestones = milestones.filter(day__lt=until)
    return milestones.select_related("project").order_by("day", "pk")
