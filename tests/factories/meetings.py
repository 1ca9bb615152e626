"""Factories for meetings (tests and demo data). They write rows directly: no emails."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from projects.models import Project, ProjectMember, Side, TeamRole


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    project = factory.SubFactory("tests.factories.projects.ProjectFactory")
    kind = MeetingKind.WEEKLY
    title = "Weekly project call"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    duration_minutes = 60
    organizer = factory.LazyAttribute(
        lambda m: _first_member(m.project, TeamRole.PROJECT_MANAGER) or _any_member(m.project)
    )
    organizer_side = factory.LazyAttribute(
        lambda m: Side.SPONSOR if m.organizer.organization_id == m.project.sponsor_id else Side.CDMO
    )
    organizer_time_zone = factory.LazyAttribute(lambda m: m.organizer.time_zone or "UTC")
    video_url = "https://teams.example.com/l/meetup-join/weekly"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda point {n}")
    minutes_allotted = 10


class InviteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitee

    meeting = factory.SubFactory(MeetingFactory)
    required = True


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    summary = factory.Sequence(lambda n: f"Decision {n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    project = factory.SelfAttribute("meeting.project")
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.LazyAttribute(lambda a: a.meeting.organizer)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


def _first_member(project: Project, role: str):
    member = (
        ProjectMember.objects.filter(project=project, role=role, removed_at__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user if member else None


def _any_member(project: Project):
    member = (
        ProjectMember.objects.filter(project=project, removed_at__isnull=True).order_by("side", "pk").first()
    )
    if member is None:
        raise ValueError(f"{project} has no team; staff it before adding meetings.")
    return member.user


def invite_team(meeting: Meeting, *, exclude_roles=(), rsvp: str = Rsvp.PENDING) -> list[Invitee]:
    """Invite the whole active team (minus `exclude_roles`); snapshot side and role."""
    invitees = []
    for member in ProjectMember.objects.filter(
        project=meeting.project, removed_at__isnull=True
    ).select_related("user"):
        if member.role in exclude_roles:
            continue
        invitee, _ = Invitee.objects.get_or_create(
            meeting=meeting,
            user=member.user,
            defaults={
                "side": member.side,
                "team_role": member.role,
                "required": True,
                "rsvp": Rsvp.ACCEPTED if member.user_id == meeting.organizer_id else rsvp,
            },
        )
        invitees.append(invitee)
    Meeting.objects.filter(pk=meeting.pk).update(
        decision_maker_invited=any(i.team_role == TeamRole.DECISION_MAKER for i in invitees)
    )
    meeting.refresh_from_db()
    return invitees


def held_meeting(
    project: Project, *, starts_at=None, status=MeetingStatus.MINUTES_SENT, absent_roles=(), **kwargs
):
    """A meeting in the past with attendance, a decision, an action item, closed to `status`."""
    starts_at = starts_at or timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(project=project, starts_at=starts_at, **kwargs)
    invitees = invite_team(meeting)
    for invitee in invitees:
        invitee.attendance = Attendance.ABSENT if invitee.team_role in absent_roles else Attendance.ATTENDED
        invitee.save(update_fields=["attendance"])
    DecisionFactory(meeting=meeting, summary="Proceed with the 200 L engineering batch", position=1)
    ActionItemFactory(meeting=meeting, title="Send the batch record template", position=1)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.MINUTES_DRAFT,
        summary="Reviewed progress since last call.",
        next_steps="Engineering batch next month.",
        held_at=starts_at,
        attendance_recorded_at=starts_at,
    )
    meeting.refresh_from_db()
    return close_as(meeting, status)


def close_as(meeting: Meeting, status: str) -> Meeting:
    """Move draft minutes to `status` (sent, or sent and confirmed by the sponsor lead)."""
    now = timezone.now()
    fields = {}
    if status in (MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED):
        fields.update(
            status=MeetingStatus.MINUTES_SENT, minutes_sent_at=now, minutes_sent_by=meeting.organizer
        )
    if status == MeetingStatus.CONFIRMED:
        confirmer = _first_member(meeting.project, TeamRole.SPONSOR_LEAD)
        fields.update(
            status=MeetingStatus.CONFIRMED, minutes_confirmed_at=now, minutes_confirmed_by=confirmer
        )
    if fields:
        Meeting.objects.filter(pk=meeting.pk).update(**fields)
        meeting.refresh_from_db()
    return meeting


def populate_project(project: Project) -> None:
    """One of each meetings model for a staffed project (the outsider walk uses it)."""
    meeting = MeetingFactory(project=project, title="Victim steering committee", kind=MeetingKind.GOVERNANCE)
    invite_team(meeting)
    AgendaItemFactory(meeting=meeting, title="Secret agenda point")
    InviteeFactory(meeting=meeting, guest_email="consultant@guest.test", guest_name="Guest Consultant")
    past = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    assert Decision.objects.filter(meeting=past).exists()
