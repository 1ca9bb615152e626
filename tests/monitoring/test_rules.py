"""Every rule raises its flag when the condition holds and clears it when it stops holding."""

import datetime as dt

import pytest
from django.utils import timezone

from oversight.monitoring.models import Flag, FlagKind, Severity
from oversight.monitoring.services import sweep
from projects.models import Milestone, MilestoneKind, MilestoneStatus, ProjectMember, ProjectStatus, TeamRole
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday
# Written around NOW; also run frozen at each awkward instant (tests/clock.py).
pytestmark = pytest.mark.clock(default=NOW, tick=False)


def open_flags(kind):
    return list(Flag.objects.filter(kind=kind, cleared_at__isnull=True))


@pytest.fixture
def staffed(db):
    return staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=7)


def _published(project, on: dt.datetime):
    """What publishing an update stores: the moment and the next due date."""
    project.last_update_published_at = on
    project.next_update_due = timezone.localdate(on) + dt.timedelta(days=project.update_cadence_days)
    project.save()


def test_stale_update_raises_with_the_numbers_and_clears_when_an_update_is_published(clock_now, staffed):
    _published(staffed, clock_now - dt.timedelta(days=12))
    sweep(now=clock_now)
    (flag,) = open_flags(FlagKind.STALE_UPDATE)
    assert flag.project == staffed and flag.subject == staffed
    since = timezone.localdate(clock_now - dt.timedelta(days=12))
    assert flag.explanation == f"No update published since {since:%d %b %Y}; the agreed cadence is 7 days."
    assert flag.severity == Severity.WARNING

    # A day later the same flag, word for word (it names a date, not a count of days)...
    assert sweep(now=clock_now + dt.timedelta(days=1)).refreshed == 0
    assert open_flags(FlagKind.STALE_UPDATE) == [flag]
    # ... until the silence reaches two cadences and the grace: critical, the same flag.
    sweep(now=clock_now + dt.timedelta(days=4))
    (critical,) = open_flags(FlagKind.STALE_UPDATE)
    assert (critical, critical.severity, critical.explanation) == (flag, Severity.CRITICAL, flag.explanation)

    _published(staffed, clock_now + dt.timedelta(days=1))
    sweep(now=clock_now + dt.timedelta(days=1, hours=1))
    assert open_flags(FlagKind.STALE_UPDATE) == []
    flag.refresh_from_db()
    assert flag.cleared_at == clock_now + dt.timedelta(days=1, hours=1)


def test_update_within_cadence_plus_grace_is_not_stale(clock_now, staffed):
    _published(staffed, clock_now - dt.timedelta(days=8))  # due yesterday, inside the 2-day grace
    sweep(now=clock_now)
    assert open_flags(FlagKind.STALE_UPDATE) == []


def test_project_that_never_published_is_stale_after_its_first_period(clock_now, db):
    fresh = staff_project(start_date=timezone.localdate(clock_now) - dt.timedelta(days=5))
    old = staff_project(start_date=timezone.localdate(clock_now) - dt.timedelta(days=30))
    sweep(now=clock_now)
    flags = open_flags(FlagKind.STALE_UPDATE)
    assert [f.project for f in flags] == [old]
    started = timezone.localdate(clock_now) - dt.timedelta(days=30)
    assert f"since the project started on {started:%d %b %Y}" in flags[0].explanation
    assert flags[0].severity == Severity.CRITICAL
    assert fresh not in [f.project for f in flags]


def test_closed_projects_are_not_watched(clock_now, staffed):
    _published(staffed, clock_now - dt.timedelta(days=40))
    staffed.status = ProjectStatus.CLOSED
    staffed.save()
    sweep(now=clock_now)
    assert Flag.objects.count() == 0


def test_missing_decision_maker_raises_and_clears(clock_now, staffed):
    _published(staffed, clock_now)
    dm = ProjectMember.objects.get(project=staffed, role=TeamRole.DECISION_MAKER)
    dm.removed_at = clock_now
    dm.save()
    sweep(now=clock_now)
    (flag,) = open_flags(FlagKind.NO_DECISION_MAKER)
    assert flag.severity == Severity.CRITICAL and "no decision-maker" in flag.explanation
    ProjectMemberFactory(project=staffed, role=TeamRole.DECISION_MAKER)
    sweep(now=clock_now + dt.timedelta(minutes=15))
    assert open_flags(FlagKind.NO_DECISION_MAKER) == []


def test_missing_point_of_contact_per_side(clock_now, db):
    project = ProjectFactory(start_date=timezone.localdate(clock_now))
    ProjectMemberFactory(project=project, role=TeamRole.SPONSOR_LEAD, is_point_of_contact=True)
    ProjectMemberFactory(project=project, role=TeamRole.DECISION_MAKER)
    pm = ProjectMemberFactory(project=project, role=TeamRole.PROJECT_MANAGER)
    sweep(now=clock_now)
    assert [f.project for f in open_flags(FlagKind.NO_CDMO_CONTACT)] == [project]
    assert open_flags(FlagKind.NO_SPONSOR_CONTACT) == []
    pm.is_point_of_contact = True
    pm.save()
    sweep(now=clock_now + dt.timedelta(minutes=15))
    assert open_flags(FlagKind.NO_CDMO_CONTACT) == []


def test_milestone_slip_beyond_threshold_and_past_due(clock_now, staffed):
    _published(staffed, clock_now)
    today = timezone.localdate(clock_now)
    slipping = Milestone.objects.create(
        project=staffed,
        kind=MilestoneKind.GMP_BATCH if hasattr(MilestoneKind, "GMP_BATCH") else MilestoneKind.choices[0][0],
        title="GMP batch 1",
        baseline_date=today + dt.timedelta(days=10),
        forecast_date=today + dt.timedelta(days=60),
    )
    small_slip = Milestone.objects.create(
        project=staffed,
        kind=slipping.kind,
        title="Release",
        baseline_date=today + dt.timedelta(days=20),
        forecast_date=today + dt.timedelta(days=25),
    )
    overdue = Milestone.objects.create(
        project=staffed,
        kind=slipping.kind,
        title="Stability pull T3",
        baseline_date=today - dt.timedelta(days=5),
        forecast_date=today - dt.timedelta(days=3),
    )
    sweep(now=clock_now)
    (slip,) = open_flags(FlagKind.MILESTONE_SLIP)
    assert slip.subject == slipping and slip.severity == Severity.CRITICAL
    assert "forecast 50 days after its contracted baseline" in slip.explanation
    (late,) = open_flags(FlagKind.MILESTONE_PAST_DUE)
    due = today - dt.timedelta(days=3)
    assert (
        late.subject == overdue
        and late.explanation == f"“Stability pull T3” was due {due:%d %b %Y} and has no actual date."
    )
    assert small_slip.pk not in [f.subject_id for f in Flag.objects.all()]

    overdue.status, overdue.actual_date = MilestoneStatus.DONE, today
    overdue.save()
    slipping.forecast_date = today + dt.timedelta(days=12)
    slipping.save()
    sweep(now=clock_now + dt.timedelta(hours=1))
    assert open_flags(FlagKind.MILESTONE_SLIP) == [] and open_flags(FlagKind.MILESTONE_PAST_DUE) == []


def test_a_second_sweep_changes_nothing_and_history_is_kept(clock_now, staffed):
    _published(staffed, clock_now - dt.timedelta(days=20))
    first = sweep(now=clock_now)
    second = sweep(now=clock_now)
    assert len(first.raised) >= 1 and second.raised == [] and second.cleared == 0
    _published(staffed, clock_now)
    sweep(now=clock_now + dt.timedelta(minutes=5))
    _published(staffed, clock_now - dt.timedelta(days=30))
    sweep(now=clock_now + dt.timedelta(minutes=10))
    stale = Flag.objects.filter(kind=FlagKind.STALE_UPDATE).order_by("raised_at")
    assert [f.cleared_at is None for f in stale] == [False, True]  # the old one kept, cleared


def _sweep_queries(now) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Rule evaluation only: notices cost a few queries per flag raised, not per project.
    with CaptureQueriesContext(connection) as captured:
        sweep(now=now, notify=False)
    return len(captured)


def _add_projects(clock_now, count):
    for i in range(count):
        p = staff_project(start_date=dt.date(2026, 1, 1))
        _published(p, clock_now - dt.timedelta(days=10 + i))
        ProjectMember.objects.filter(project=p, role=TeamRole.DECISION_MAKER).update(removed_at=clock_now)


@pytest.mark.clock("new-years-eve", default=NOW, tick=False)  # query counts: one instant is enough
def test_sweep_queries_do_not_grow_with_projects(clock_now, db):
    from oversight.monitoring.rules import RULES

    _add_projects(clock_now, 3)
    sweep(now=clock_now, notify=False)  # raise everything once
    _add_projects(clock_now, 1)  # something new to raise at the next sweep
    small = _sweep_queries(clock_now + dt.timedelta(days=1))
    _add_projects(clock_now, 40)
    large = _sweep_queries(clock_now + dt.timedelta(days=2))
    assert small == large
    assert large <= 8 * len(RULES)  # evaluating (at most 7 a rule), then the next moments (1 a rule)
