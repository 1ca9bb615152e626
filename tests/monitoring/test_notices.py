"""Flag notices go to the right people once; lasting flags repeat weekly; reminders come first."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from oversight.monitoring.models import Flag
from oversight.monitoring.notices import send_reminders
from oversight.monitoring.services import sweep
from portal.notifications.models import Notification
from projects.models import CommentKind, ProjectMember, TeamRole
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory, staff_project

NOW = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
# Written around NOW; also run frozen at each awkward instant (tests/clock.py).
pytestmark = pytest.mark.clock(default=NOW, tick=False)


@pytest.fixture
def project(clock_now, db):
    p = staff_project(start_date=dt.date(2026, 1, 5), update_cadence_days=7)
    p.last_update_published_at = clock_now - dt.timedelta(days=12)
    p.next_update_due = timezone.localdate(p.last_update_published_at) + dt.timedelta(days=7)
    p.save()
    return p


def _person(project, role):
    return ProjectMember.objects.get(project=project, role=role).user


def test_a_raised_flag_tells_the_pm_and_sponsor_lead_once(
    clock_now, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=clock_now)
        sweep(now=clock_now + dt.timedelta(minutes=15))
    notices = Notification.objects.filter(kind="flag.raised")
    assert {n.recipient for n in notices} == {
        _person(project, TeamRole.PROJECT_MANAGER),
        _person(project, TeamRole.SPONSOR_LEAD),
    }
    since = timezone.localdate(clock_now - dt.timedelta(days=12))
    assert all(f"No update published since {since:%d %b %Y}" in n.body for n in notices)
    stale_emails = [m for m in mail.outbox if "No recent status update" in m.subject]
    assert len(stale_emails) == 2


# A week of sweeps across a clock change or the year's end (each instant costs a week of sweeps).
@pytest.mark.clock("eu-dst", "us-dst", "new-years-eve", default=NOW, tick=False)
def test_lasting_flags_repeat_weekly_not_every_sweep(clock_now, project):
    sweep(now=clock_now)
    for hours in range(1, 24 * 6, 6):  # sweeps all week long
        sweep(now=clock_now + dt.timedelta(hours=hours))
    assert Notification.objects.filter(kind="flag.repeat").count() == 0
    # Repeated at the flag's own moment of its second week (within a day), once.
    for minutes in range(0, 24 * 60 + 61, 15):
        sweep(now=clock_now + dt.timedelta(days=7, minutes=minutes))
    repeats = Notification.objects.filter(kind="flag.repeat")
    assert repeats.count() == 2  # PM and sponsor lead, once
    assert all("(still open)" in n.title for n in repeats)


def test_update_due_tomorrow_reminds_the_project_manager_once(clock_now, project):
    project.next_update_due = timezone.localdate(clock_now) + dt.timedelta(days=1)
    project.last_update_published_at = clock_now - dt.timedelta(days=6)
    project.save()
    assert send_reminders(now=clock_now) == 1
    assert send_reminders(now=clock_now + dt.timedelta(hours=1)) == 0
    (reminder,) = Notification.objects.filter(kind="reminder.update_due")
    assert reminder.recipient == _person(project, TeamRole.PROJECT_MANAGER)
    assert "due tomorrow" in reminder.title
    assert not Flag.objects.exists()  # a reminder comes before any flag


def test_question_about_to_run_out_reminds_the_cdmo(clock_now, project):
    update = StatusUpdateFactory(project=project)
    question = UpdateCommentFactory(
        update=update,
        kind=CommentKind.QUESTION,
        author=_person(project, TeamRole.SPONSOR_LEAD),
        body="Can you share the impurity profile?",
        respond_by=clock_now + dt.timedelta(hours=3),
    )
    UpdateCommentFactory(
        update=update,
        kind=CommentKind.QUESTION,
        author=question.author,
        body="Later one",
        respond_by=clock_now + dt.timedelta(days=2),
    )
    send_reminders(now=clock_now)
    send_reminders(now=clock_now + dt.timedelta(hours=1))
    (reminder,) = Notification.objects.filter(kind="reminder.question_due")
    assert reminder.recipient == _person(project, TeamRole.PROJECT_MANAGER)
    assert "within 3 h" in reminder.title and "impurity profile" in reminder.body


def test_action_item_due_tomorrow_reminds_its_owner(clock_now, project):
    meeting = MeetingFactory(project=project, starts_at=clock_now - dt.timedelta(days=2))
    owner = _person(project, TeamRole.SME)
    ActionItemFactory(
        meeting=meeting,
        owner=owner,
        title="Send CoA draft",
        due_date=timezone.localdate(clock_now) + dt.timedelta(days=1),
    )
    ActionItemFactory(
        meeting=meeting,
        owner=owner,
        title="Not yet",
        due_date=timezone.localdate(clock_now) + dt.timedelta(days=5),
    )
    send_reminders(now=clock_now)
    send_reminders(now=clock_now + dt.timedelta(hours=2))
    (reminder,) = Notification.objects.filter(kind="reminder.action_due")
    assert reminder.recipient == owner and "Send CoA draft" in reminder.body


def test_two_flags_of_one_kind_name_their_items_in_their_subjects(
    clock_now, project, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(project=project, starts_at=clock_now - dt.timedelta(days=20))
    overdue = timezone.localdate(clock_now) - dt.timedelta(days=3)
    ActionItemFactory(meeting=meeting, title="Send the CoA draft", due_date=overdue)
    ActionItemFactory(
        meeting=meeting,
        title="Book the tech transfer visit with the QA team at the receiving site and circulate the agenda",
        due_date=overdue,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=clock_now)
    titles = set(Notification.objects.filter(kind="flag.raised").values_list("title", flat=True))
    overdue_titles = {t for t in titles if "Action item overdue" in t}
    assert len(overdue_titles) == 2
    assert any(t.endswith("Send the CoA draft") for t in overdue_titles)
    long_one = next(t for t in overdue_titles if "Book the tech transfer" in t)
    assert "circulate the agenda" not in long_one and long_one.endswith("…")  # shortened
    subjects = {m.subject for m in mail.outbox if "Action item overdue" in m.subject}
    assert len(subjects) == 2
    assert any("Send the CoA draft" in s for s in subjects)
    assert all(s.startswith(f"{project.code}: ") for s in subjects)

    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=clock_now + dt.timedelta(days=8, hours=2))  # past every flag's own repeat moment
    repeats = Notification.objects.filter(kind="flag.repeat", title__contains="Action item overdue")
    assert {r.title for r in repeats} == {f"{t} (still open)" for t in overdue_titles}
