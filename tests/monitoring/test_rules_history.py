"""Rules that look back read only the recent past: a project's long history costs nothing and
old absences stop counting once a later meeting had the decision-maker."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import MeetingKind, MeetingStatus
from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.rules.meetings import DecisionMakerAbsentRule
from oversight.monitoring.services import sweep
from projects.models import TeamRole
from tests.factories.meetings import held_meeting
from tests.factories.projects import staff_project

NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)


def _project():
    project = staff_project(start_date=dt.date(2025, 1, 6))
    project.last_update_published_at = NOW
    project.next_update_due = timezone.localdate(NOW) + dt.timedelta(days=7)
    project.save()
    return project


def _governance(project, weeks_ago, *, dm_absent):
    return held_meeting(
        project,
        kind=MeetingKind.GOVERNANCE,
        starts_at=NOW - dt.timedelta(weeks=weeks_ago),
        status=MeetingStatus.CONFIRMED,
        absent_roles=[TeamRole.DECISION_MAKER] if dm_absent else [],
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_old_absences_stop_counting_once_the_decision_maker_came_back():
    project = _project()
    for weeks in (40, 36, 32, 28, 24):  # a long absence, long ago
        _governance(project, weeks, dm_absent=True)
    _governance(project, 8, dm_absent=False)
    _governance(project, 4, dm_absent=True)
    sweep(now=NOW)
    assert not Flag.objects.filter(kind=FlagKind.DECISION_MAKER_ABSENT).exists()

    _governance(project, 1, dm_absent=True)
    sweep(now=NOW + dt.timedelta(minutes=5))
    (flag,) = Flag.objects.filter(kind=FlagKind.DECISION_MAKER_ABSENT, cleared_at__isnull=True)
    assert flag.explanation == (
        "The sponsor's decision-maker was absent from the last two governance meetings (21 Oct and 11 Nov)."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("projects, meetings_each", [(1, 2), (4, 7)])
def test_one_query_however_many_projects_and_meetings(projects, meetings_each, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        for _ in range(projects):
            project = _project()
            for weeks in range(meetings_each, 0, -1):
                _governance(project, weeks * 2, dm_absent=True)
    with django_assert_num_queries(1):
        found = DecisionMakerAbsentRule().findings(NOW)
    assert len(found) == projects
    # Narrowed to some projects (the re-evaluation after a change), still one query.
    with django_assert_num_queries(1):
        assert len(DecisionMakerAbsentRule().findings(NOW, [found[0].project_id])) == 1


def _rows_read(plan, table) -> int:
    """Rows the plan read from `table` (kept or filtered out, in every loop)."""
    own = 0
    if plan.get("Relation Name") == table:
        own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * plan["Actual Loops"]
    return own + sum(_rows_read(child, table) for child in plan.get("Plans", []))


@pytest.mark.django_db
def test_the_absence_rule_reads_the_last_two_meetings_not_the_whole_history():
    with time_machine.travel(NOW, tick=False):
        project = _project()
        for weeks in range(40, 0, -2):  # twenty governance meetings, the decision-maker always absent
            _governance(project, weeks, dm_absent=True)
    with CaptureQueriesContext(connection) as queries:
        (finding,) = DecisionMakerAbsentRule().findings(NOW)
    assert finding.project_id == project.pk
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + queries.captured_queries[0]["sql"])
        (plan,) = cursor.fetchone()[0]
    # At most two meetings for each of the four subqueries (decision-maker there? when?), and the
    # invitees (a team of four) of two meetings for each of the two that ask who attended.
    assert 0 < _rows_read(plan["Plan"], "meetings_meeting") <= 4 * 2
    assert 0 < _rows_read(plan["Plan"], "meetings_invitee") <= 2 * 2 * 4
