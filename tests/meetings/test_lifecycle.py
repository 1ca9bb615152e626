"""A meeting's life through the services: scheduled → held → minutes sent → confirmed,
with the correction loop, and the rules the database keeps on its own."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, Attendance, Decision, Invitee, Meeting, MeetingStatus
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError

from .conftest import access

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(schedule, project, team):
    """A meeting scheduled for an hour from now, then the clock moved past its end."""
    start = timezone.now() + datetime.timedelta(hours=1)
    meeting = schedule(starts_at=start)
    traveller = time_machine.travel(start + datetime.timedelta(hours=2), tick=False)
    traveller.start()
    yield meeting
    traveller.stop()


def _write_minutes(project, team, meeting, **overrides):
    pm = access(team["pm"], project)
    invitees = {i.user_id: i.pk for i in meeting.invitees.all()}
    services.attendance_record(
        access=pm,
        meeting=meeting,
        marks={
            invitees[team["pm"].pk]: "attended",
            invitees[team["lead"].pk]: "attended",
            invitees[team["dm"].pk]: "absent",
            invitees[team["sme"].pk]: "attended",
        },
    )
    meeting.refresh_from_db()
    return services.minutes_save(
        access=pm,
        meeting=meeting,
        version=meeting.version,
        summary=overrides.get("summary", "Discussed the engineering batch."),
        next_steps="Engineering batch in week 12.",
        decisions=[services.DecisionRow(id=None, summary="Run the engineering batch at 200 L.")],
        action_items=[
            services.ActionItemRow(
                id=None,
                title="Send the batch record",
                owner=team["lead"],
                due_date=datetime.date(2031, 1, 10),
            )
        ],
    )


def test_governance_meeting_without_decision_maker_is_recorded(schedule):
    meeting = schedule(kind="governance", invite=("lead", "sme"), without_decision_maker=True)
    assert meeting.decision_maker_invited is False
    assert services.is_governance_without_decision_maker(meeting)


def test_governance_meeting_with_decision_maker_is_fine_and_the_flag_follows_the_invitees(
    schedule, project, team
):
    meeting = schedule(kind="governance", invite=("lead", "dm"))
    assert meeting.decision_maker_invited is True
    pm = access(team["pm"], project)
    services.invitee_remove(access=pm, invitee=meeting.invitees.get(user=team["dm"]))
    meeting.refresh_from_db()
    assert meeting.decision_maker_invited is False
    services.invitee_add(access=pm, meeting=meeting, spec=services.InviteeSpec(user=team["dm"]))
    meeting.refresh_from_db()
    assert meeting.decision_maker_invited is True


def test_invitees_must_be_on_the_team_or_invited_as_guests(schedule, project, team, sponsor_member_off_team):
    with pytest.raises(ServiceError, match="not on the project team"):
        services.meeting_schedule(
            access=access(team["pm"], project),
            kind="weekly",
            title="Call",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=30,
            video_url="https://x.example.com",
            invitees=[services.InviteeSpec(user=sponsor_member_off_team)],
        )


def test_a_guest_with_a_team_members_email_is_that_team_member(schedule, team):
    meeting = schedule(invite=(), guests=[("", team["lead"].email.upper())])
    invitee = meeting.invitees.get(user=team["lead"])
    assert invitee.guest_email == "" and invitee.team_role == "sponsor_lead"


def test_a_meeting_needs_a_video_link_or_a_place(project, team):
    with pytest.raises(ServiceError, match="video link or a place"):
        services.meeting_schedule(
            access=access(team["pm"], project),
            kind="weekly",
            title="Call",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=30,
        )


def test_rsvp_is_the_invitees_own_and_a_new_time_asks_again(schedule, project, team, cdmo_admin):
    meeting = schedule()
    invitee = services.invitee_rsvp(user=team["lead"], meeting=meeting, response="accepted")
    assert invitee.rsvp == "accepted" and invitee.rsvp_at is not None
    with pytest.raises(ServiceError, match="accept, tentative or decline"):
        services.invitee_rsvp(user=team["lead"], meeting=meeting, response="maybe")
    with pytest.raises(NotAllowed):
        services.invitee_rsvp(user=cdmo_admin, meeting=meeting, response="accepted")
    services.meeting_update(
        access=access(team["pm"], project),
        meeting=meeting,
        version=meeting.version,
        starts_at=meeting.starts_at + datetime.timedelta(days=1),
    )
    invitee.refresh_from_db()
    assert invitee.rsvp == "pending"
    assert meeting.invitees.get(user=team["pm"]).rsvp == "accepted"  # the organizer keeps theirs


def test_attendance_waits_for_the_meeting_to_start(schedule, project, team):
    meeting = schedule()
    with pytest.raises(ServiceError, match="once the meeting has started"):
        services.attendance_record(access=access(team["pm"], project), meeting=meeting, marks={})


def test_unexpected_attendee_is_recorded(held, project, team, cdmo_admin):
    from projects.models import TeamRole
    from tests.factories.projects import ProjectMemberFactory

    qa = ProjectMemberFactory(project=project, role=TeamRole.CDMO_MEMBER).user
    services.attendance_record(
        access=access(team["pm"], project), meeting=held, marks={}, unexpected_users=[qa]
    )
    row = Invitee.objects.get(meeting=held, user=qa)
    assert row.unexpected and row.attendance == Attendance.ATTENDED and not row.required
    held.refresh_from_db()
    assert held.status == MeetingStatus.MINUTES_DRAFT and held.held_at is not None


def test_full_cycle_close_confirm(held, project, team, django_capture_on_commit_callbacks):
    meeting = _write_minutes(project, team, held)
    assert meeting.status == MeetingStatus.MINUTES_DRAFT
    action = ActionItem.objects.get(meeting=meeting)
    assert action.project == project  # denormalized for project-wide lists

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_close_minutes(access=access(team["pm"], project), meeting=meeting)
    assert meeting.status == MeetingStatus.MINUTES_SENT
    assert meeting.minutes_sent_by == team["pm"] and meeting.minutes_sent_at is not None
    # Attendees (pm, lead, sme) and the absent decision-maker, who confirms minutes, get them with the PDF.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([team["pm"].email, team["lead"].email, team["sme"].email, team["dm"].email])
    message = next(m for m in mail.outbox if m.to == [team["lead"].email])
    assert message.subject.startswith("Minutes: ACM-101")
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf" and name.startswith("minutes-ACM-101-") and content[:4] == b"%PDF"
    assert "Run the engineering batch at 200 L." in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_confirm_minutes(access=access(team["lead"], project), meeting=meeting)
    assert meeting.status == MeetingStatus.CONFIRMED
    assert meeting.minutes_confirmed_by == team["lead"] and meeting.minutes_confirmed_at is not None
    assert [m.to for m in mail.outbox] == [[team["pm"].email]]
    assert mail.outbox[0].subject.startswith("Minutes confirmed")


def test_closing_needs_attendance_and_a_summary(held, project, team):
    pm = access(team["pm"], project)
    held.refresh_from_db()
    services.minutes_save(access=pm, meeting=held, version=held.version, summary="Talked.", next_steps="")
    held.refresh_from_db()
    with pytest.raises(ServiceError, match="Record who attended"):
        services.meeting_close_minutes(access=pm, meeting=held)
    meeting = _write_minutes(project, team, held, summary="  ")
    with pytest.raises(ServiceError, match="summary"):
        services.meeting_close_minutes(access=pm, meeting=meeting)


def test_closed_minutes_are_locked_in_the_services_and_in_the_database(held, project, team):
    meeting = _write_minutes(project, team, held)
    pm = access(team["pm"], project)
    meeting = services.meeting_close_minutes(access=pm, meeting=meeting)
    with pytest.raises(ServiceError, match="closed and sent"):
        services.minutes_save(
            access=pm, meeting=meeting, version=meeting.version, summary="Rewritten", next_steps=""
        )
    with pytest.raises(ServiceError):
        services.attendance_record(access=pm, meeting=meeting, marks={})
    # Even code that skips the services cannot rewrite the record.
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(summary="Rewritten behind the portal's back")
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        Decision.objects.filter(meeting=meeting).update(summary="Something else")
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        Decision.objects.create(meeting=meeting, summary="Slipped in later")
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        ActionItem.objects.filter(meeting=meeting).update(due_date=datetime.date(2035, 1, 1))
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        Invitee.objects.filter(meeting=meeting).update(attendance="absent")
    # ...but an action item still gets done after the minutes lock.
    item = ActionItem.objects.get(meeting=meeting)
    item = services.action_item_complete(access=access(team["lead"], project), item=item)
    assert item.is_done


def test_records_are_never_deleted(held, project, team):
    meeting = _write_minutes(project, team, held)
    with pytest.raises(ProtectedError):
        Meeting.objects.filter(pk=meeting.pk).delete()
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        ActionItem.objects.filter(meeting=meeting).delete()
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        Decision.objects.filter(meeting=meeting).delete()


def test_correction_reopens_for_the_organizer_side_and_resend_closes_again(
    held, project, team, django_capture_on_commit_callbacks
):
    meeting = _write_minutes(project, team, held)
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    meeting = services.meeting_close_minutes(access=pm, meeting=meeting)
    with pytest.raises(ServiceError, match="Say what needs correcting"):
        services.meeting_request_correction(access=lead, meeting=meeting, note="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_request_correction(
            access=lead, meeting=meeting, note="It was 100 L, not 200 L."
        )
    assert meeting.status == MeetingStatus.MINUTES_DRAFT and meeting.correction_open
    assert meeting.correction_requested_by == team["lead"]
    assert [m.to for m in mail.outbox] == [[team["pm"].email]]
    assert "It was 100 L, not 200 L." in mail.outbox[0].body

    decision = Decision.objects.get(meeting=meeting)
    meeting = services.minutes_save(
        access=pm,
        meeting=meeting,
        version=meeting.version,
        summary=meeting.summary,
        next_steps=meeting.next_steps,
        decisions=[services.DecisionRow(id=decision.pk, summary="Run the engineering batch at 100 L.")],
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_close_minutes(access=pm, meeting=meeting)
    assert meeting.status == MeetingStatus.MINUTES_SENT and not meeting.correction_open
    assert mail.outbox[0].subject.startswith("Corrected minutes")
    assert Decision.objects.get(meeting=meeting).summary == "Run the engineering batch at 100 L."


def test_a_stale_minutes_form_does_not_overwrite_a_newer_save(held, project, team):
    meeting = _write_minutes(project, team, held)
    pm = access(team["pm"], project)
    stale_version = meeting.version
    services.minutes_save(access=pm, meeting=meeting, version=stale_version, summary="First", next_steps="")
    with pytest.raises(ConcurrentEditError):
        services.minutes_save(
            access=pm, meeting=meeting, version=stale_version, summary="Second", next_steps=""
        )
    meeting.refresh_from_db()
    assert meeting.summary == "First"


def test_two_people_confirming_at_once_confirm_once(held, project, team):
    meeting = _write_minutes(project, team, held)
    meeting = services.meeting_close_minutes(access=access(team["pm"], project), meeting=meeting)
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_confirm_minutes(access=access(team["lead"], project), meeting=meeting)
    with pytest.raises(ServiceError):
        services.meeting_confirm_minutes(access=access(team["dm"], project), meeting=stale)
    assert Meeting.objects.get(pk=meeting.pk).minutes_confirmed_by == team["lead"]


def test_removing_draft_rows_keeps_them_as_records(held, project, team):
    meeting = _write_minutes(project, team, held)
    decision = Decision.objects.get(meeting=meeting)
    item = ActionItem.objects.get(meeting=meeting)
    services.minutes_save(
        access=access(team["pm"], project),
        meeting=meeting,
        version=meeting.version,
        summary=meeting.summary,
        next_steps="",
        decisions=[services.DecisionRow(id=decision.pk, summary=decision.summary, remove=True)],
        action_items=[
            services.ActionItemRow(
                id=item.pk, title=item.title, owner=item.owner, due_date=item.due_date, remove=True
            )
        ],
    )
    decision.refresh_from_db()
    item.refresh_from_db()
    assert decision.removed_at is not None and item.removed_at is not None


def test_action_items_need_an_owner_from_the_team(held, project, team, sponsor_member_off_team):
    meeting = _write_minutes(project, team, held)
    with pytest.raises(ServiceError, match="owner from the project team"):
        services.minutes_save(
            access=access(team["pm"], project),
            meeting=meeting,
            version=meeting.version,
            summary="x",
            next_steps="",
            action_items=[
                services.ActionItemRow(
                    id=None, title="Do it", owner=sponsor_member_off_team, due_date=datetime.date(2031, 1, 1)
                )
            ],
        )


def test_cancelled_meeting_cannot_be_cancelled_or_recorded(schedule, project, team):
    meeting = schedule()
    pm = access(team["pm"], project)
    meeting = services.meeting_cancel(access=pm, meeting=meeting, reason="")
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancelled_by == team["pm"]
    with pytest.raises(ServiceError):
        services.meeting_cancel(access=pm, meeting=meeting)
    with pytest.raises(ServiceError):
        services.agenda_item_add(access=pm, meeting=meeting, title="x")


def test_agenda_reorders_and_removes(schedule, project, team):
    meeting = schedule()
    pm = access(team["pm"], project)
    a = services.agenda_item_add(access=pm, meeting=meeting, title="A")
    b = services.agenda_item_add(access=pm, meeting=meeting, title="B")
    c = services.agenda_item_add(access=pm, meeting=meeting, title="C")
    services.agenda_item_move(access=pm, item=c, direction="up")
    assert list(meeting.agenda_items.filter(removed_at__isnull=True).values_list("title", flat=True)) == [
        "A",
        "C",
        "B",
    ]
    services.agenda_item_remove(access=pm, item=a)
    assert list(meeting.agenda_items.filter(removed_at__isnull=True).values_list("title", "position")) == [
        ("C", 1),
        ("B", 2),
    ]
    assert b.pk in meeting.agenda_items.values_list("pk", flat=True)


def test_the_database_refuses_an_invitee_twice(schedule, team):
    meeting = schedule()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitee.objects.create(meeting=meeting, user=team["lead"])
    Invitee.objects.create(meeting=meeting, guest_email="a@b.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitee.objects.create(meeting=meeting, guest_email="A@B.test")
