"""Flags follow their data: a change to what the rules read re-evaluates that project's flags
after commit (tasks run eagerly here; tests/monitoring/test_recheck_worker.py has the real worker)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from meetings import services as meeting_services
from oversight.monitoring import tasks
from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.notices import send_flag_notices
from oversight.monitoring.services import sweep
from portal.core import queue
from portal.core.models import OutboxTask
from portal.notifications.models import Notification
from projects import services
from projects.models import Milestone, MilestoneKind, ProjectMember, TeamRole
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.projects import staff_project
from tests.projects.update_helpers import access

pytestmark = pytest.mark.django_db
RECHECK = tasks.recheck_project.name


@pytest.fixture
def recheck_on(settings):
    """Turn the re-evaluation on after the setup: a test is one transaction, and the setup's own
    request would otherwise stand for every later change (one per project per transaction)."""

    def turn_on():
        settings.MONITORING_RECHECK_ON_CHANGE = True

    return turn_on


def _slipping(project, slip_days: int, title="GMP batch 1") -> Milestone:
    baseline = timezone.localdate() + dt.timedelta(days=30)
    return Milestone.objects.create(
        project=project,
        kind=MilestoneKind.choices[0][0],
        title=title,
        baseline_date=baseline,
        forecast_date=baseline + dt.timedelta(days=slip_days),
    )


def _pm(project):
    return ProjectMember.objects.get(project=project, role=TeamRole.PROJECT_MANAGER).user


def _move(project, milestone, slip_days: int):
    milestone.refresh_from_db()
    services.milestone_change_forecast(
        access=access(_pm(project), project),
        milestone=milestone,
        new_date=milestone.baseline_date + dt.timedelta(days=slip_days),
        reason="Raw material delayed",
        version=milestone.version,
    )


def _rechecks(project) -> int:
    return OutboxTask.objects.filter(task_name=RECHECK, args=[project.pk]).count()


def _slip_flag(milestone) -> Flag:
    return Flag.objects.get(kind=FlagKind.MILESTONE_SLIP, subject_id=milestone.pk, cleared_at__isnull=True)


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=7)


@pytest.mark.clock("late-weekday", "new-years-eve")
def test_a_forecast_moved_is_reflected_in_its_flag_after_commit_without_a_sweep(
    project, recheck_on, django_capture_on_commit_callbacks
):
    milestone = _slipping(project, 21)
    sweep(notify=False)
    assert "21 days" in _slip_flag(milestone).explanation
    recheck_on()

    with django_capture_on_commit_callbacks(execute=True):
        _move(project, milestone, 28)

    assert "28 days" in _slip_flag(milestone).explanation


def test_work_for_a_change_that_rolls_back_is_never_written(project, recheck_on):
    milestone = _slipping(project, 21)
    recheck_on()
    before = _rechecks(project)
    with pytest.raises(RuntimeError), transaction.atomic():
        _move(project, milestone, 28)
        assert _rechecks(project) == before + 1  # written with the change...
        raise RuntimeError("the page failed after the change")
    assert _rechecks(project) == before  # ...and gone with it


def test_several_changes_in_one_transaction_ask_for_one_recheck_per_project(
    recheck_on, django_capture_on_commit_callbacks
):
    first, second = staff_project(), staff_project()
    recheck_on()
    with django_capture_on_commit_callbacks(execute=False):
        with transaction.atomic():
            a, b = _slipping(first, 21, "A"), _slipping(first, 3, "B")
            _move(first, a, 28)
            _move(first, b, 30)
            _slipping(second, 1)
            new = OutboxTask.objects.filter(task_name=RECHECK)
            assert sorted(row.args for row in new) == [[first.pk], [second.pk]]


def test_a_savepoint_rolled_back_takes_its_request_with_it(
    project, recheck_on, django_capture_on_commit_callbacks
):
    milestone = _slipping(project, 21)
    recheck_on()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        before = _rechecks(project)
        try:
            with transaction.atomic():
                _move(project, milestone, 28)
                raise RuntimeError
        except RuntimeError:
            pass
        _move(project, milestone, 29)  # asks again: the first request was rolled back
        assert _rechecks(project) == before + 1
    assert callbacks


def test_the_recheck_is_idempotent_and_announces_each_flag_once(project):
    milestone = _slipping(project, 21)
    tasks.recheck_project(project.pk)
    flags = list(Flag.objects.filter(project=project).values_list("pk", "kind", "explanation", "cleared_at"))
    assert "21 days" in _slip_flag(milestone).explanation

    tasks.recheck_project(project.pk)
    again = list(Flag.objects.filter(project=project).values_list("pk", "kind", "explanation", "cleared_at"))
    assert again == flags

    send_flag_notices(now=timezone.now())
    sent = Notification.objects.count()
    assert sent > 0
    tasks.recheck_project(project.pk)
    send_flag_notices(now=timezone.now())
    assert Notification.objects.count() == sent


def test_the_recheck_touches_only_its_own_project(project):
    other = staff_project()
    mine, theirs = _slipping(project, 21), _slipping(other, 21)
    sweep(notify=False)
    for milestone in (mine, theirs):
        Milestone.objects.filter(pk=milestone.pk).update(
            forecast_date=milestone.baseline_date + dt.timedelta(days=35)
        )

    tasks.recheck_project(project.pk)

    assert "35 days" in _slip_flag(mine).explanation
    assert "21 days" in _slip_flag(theirs).explanation  # the sweep's job, not this recheck's


def test_a_write_that_bypasses_save_still_asks_for_a_recheck(
    project, recheck_on, django_capture_on_commit_callbacks
):
    """Completing an action item is a compare-and-set UPDATE: the service signals the change."""
    meeting = MeetingFactory(project=project)
    item = ActionItemFactory(meeting=meeting, due_date=timezone.localdate() - dt.timedelta(days=3))
    sweep(notify=False)
    assert Flag.objects.filter(
        kind=FlagKind.ACTION_ITEM_OVERDUE, subject_id=item.pk, cleared_at=None
    ).exists()
    recheck_on()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.action_item_complete(access=access(item.owner, project), item=item)

    assert not Flag.objects.filter(
        kind=FlagKind.ACTION_ITEM_OVERDUE, subject_id=item.pk, cleared_at=None
    ).exists()


def test_a_replayed_past_asks_for_no_recheck(project, recheck_on):
    milestone = _slipping(project, 21)
    recheck_on()
    before = _rechecks(project)
    with queue.held(), transaction.atomic():
        _move(project, milestone, 28)
    assert _rechecks(project) == before


def test_off_switch(project):
    milestone = _slipping(project, 21)
    before = _rechecks(project)
    _move(project, milestone, 28)
    assert _rechecks(project) == before
