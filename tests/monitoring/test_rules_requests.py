"""A change request or a decision request still open after its needed-by date raises a flag on
the project; deciding or withdrawing it clears the flag, at once after commit."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from oversight.monitoring.checks import next_checks
from oversight.monitoring.models import Flag, FlagKind, Severity
from oversight.monitoring.rules import REQUEST_CRITICAL_AFTER_DAYS
from oversight.monitoring.rules.base import midnights
from oversight.monitoring.rules.requests import ChangePastNeededByRule, DecisionPastNeededByRule
from oversight.monitoring.services import sweep
from projects import services
from projects.models import DecisionRequest, ProjectMember, ProjectStatus, TeamRole
from tests.factories.projects import change_with_options, staff_project
from tests.projects.update_helpers import access, published_update

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)  # a Thursday
pytestmark = pytest.mark.clock(default=NOW, tick=False)
DAY = dt.timedelta(days=1)


def open_flags(kind):
    return list(Flag.objects.filter(kind=kind, cleared_at__isnull=True))


def _member(project, role):
    return ProjectMember.objects.get(project=project, role=role, removed_at__isnull=True).user


def _on(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 6, 1))


def test_a_change_request_past_its_needed_by_date_is_flagged_then_critical_then_cleared_when_decided(
    clock_now, project
):
    today = timezone.localdate(clock_now)
    change = change_with_options(project, title="Move GMP-01 to suite B", needed_by=today)
    sweep(now=clock_now)
    assert open_flags(FlagKind.CHANGE_PAST_NEEDED_BY) == []  # needed by today: not late yet

    # The first instant of the next day, in the current time zone.
    late_from = midnights()(today + DAY)
    assert ChangePastNeededByRule().moments(clock_now, [project.pk]) == [
        (project.pk, late_from),
        (project.pk, late_from + dt.timedelta(days=REQUEST_CRITICAL_AFTER_DAYS)),
    ]
    assert next_checks(clock_now, [project.pk])[project.pk] <= late_from
    sweep(now=late_from - dt.timedelta(microseconds=1))
    assert open_flags(FlagKind.CHANGE_PAST_NEEDED_BY) == []
    sweep(now=late_from)
    (flag,) = open_flags(FlagKind.CHANGE_PAST_NEEDED_BY)
    assert (flag.project, flag.subject, flag.severity) == (project, change, Severity.WARNING)
    assert flag.explanation == f"Change request “Move GMP-01 to suite B” needed a decision by {_on(today)}."

    # A week on, the same flag turns critical, word for word the same.
    sweep(now=late_from + dt.timedelta(days=REQUEST_CRITICAL_AFTER_DAYS))
    (critical,) = open_flags(FlagKind.CHANGE_PAST_NEEDED_BY)
    assert (critical, critical.severity, critical.explanation) == (flag, Severity.CRITICAL, flag.explanation)
    assert ChangePastNeededByRule().moments(late_from + dt.timedelta(days=30), [project.pk]) == []

    services.change_reject(
        access=access(_member(project, TeamRole.SPONSOR_LEAD), project), change=change, reason="Too costly."
    )
    sweep(now=late_from + dt.timedelta(days=9))
    assert open_flags(FlagKind.CHANGE_PAST_NEEDED_BY) == []


def test_withdrawn_or_future_or_not_running_changes_are_not_flagged(clock_now, project):
    today = timezone.localdate(clock_now)
    withdrawn = change_with_options(project, needed_by=today - 3 * DAY)
    services.change_withdraw(
        access=access(withdrawn.raised_by, project), change=withdrawn, reason="Suite A is back."
    )
    change_with_options(project, needed_by=today + DAY)
    paused = staff_project(start_date=dt.date(2026, 6, 1), status=ProjectStatus.ON_HOLD)
    change_with_options(paused, needed_by=today - 3 * DAY)
    sweep(now=clock_now)
    assert open_flags(FlagKind.CHANGE_PAST_NEEDED_BY) == []


def test_a_decision_request_past_its_needed_by_date_is_flagged_and_cleared_once_decided_after_commit(
    clock_now, project, settings, django_capture_on_commit_callbacks
):
    today = timezone.localdate(clock_now)
    pm = _member(project, TeamRole.PROJECT_MANAGER)
    published_update(
        pm, project, decisions_needed=[{"title": "Approve the resin lot", "needed_by": today.isoformat()}]
    )
    decision = DecisionRequest.objects.get(project=project)
    sweep(now=clock_now)
    assert open_flags(FlagKind.DECISION_PAST_NEEDED_BY) == []

    late_from = midnights()(today + DAY)
    assert DecisionPastNeededByRule().moments(clock_now, None)[0] == (project.pk, late_from)
    sweep(now=late_from)
    (flag,) = open_flags(FlagKind.DECISION_PAST_NEEDED_BY)
    assert flag.subject == decision and flag.severity == Severity.WARNING
    assert flag.explanation == f"Decision request “Approve the resin lot” needed a decision by {_on(today)}."

    # Recorded through the service (a compare-and-set UPDATE): the flag clears after commit,
    # without waiting for a sweep.
    settings.MONITORING_RECHECK_ON_CHANGE = True
    with (
        time_machine.travel(late_from + dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.decision_resolve(
            access=access(_member(project, TeamRole.SPONSOR_LEAD), project),
            decision=decision,
            note="Approved; use lot 2231.",
        )
    assert open_flags(FlagKind.DECISION_PAST_NEEDED_BY) == []


def test_a_change_raised_or_withdrawn_rechecks_its_project_after_commit(
    clock_now, project, settings, django_capture_on_commit_callbacks
):
    today = timezone.localdate(clock_now)
    change = change_with_options(project, needed_by=today - 2 * DAY)
    sweep(now=clock_now)
    assert len(open_flags(FlagKind.CHANGE_PAST_NEEDED_BY)) == 1
    settings.MONITORING_RECHECK_ON_CHANGE = True
    with django_capture_on_commit_callbacks(execute=True):
        services.change_withdraw(
            access=access(change.raised_by, project), change=change, reason="Not needed."
        )
    assert open_flags(FlagKind.CHANGE_PAST_NEEDED_BY) == []


def test_the_rules_are_set_based(clock_now, db, django_assert_max_num_queries):
    today = timezone.localdate(clock_now)
    for _ in range(3):
        change_with_options(staff_project(start_date=dt.date(2026, 6, 1)), needed_by=today - 2 * DAY)
    for rule in (ChangePastNeededByRule(), DecisionPastNeededByRule()):
        with django_assert_max_num_queries(1):
            rule.findings(clock_now)
        with django_assert_max_num_queries(1):
            rule.moments(clock_now)
    assert len(ChangePastNeededByRule().findings(clock_now)) == 3
