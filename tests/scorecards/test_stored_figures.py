"""The stored figures: what the workers keep, set-based, and the roll-ups built from them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.monitoring import tasks as monitoring_tasks
from oversight.scorecards import tasks
from oversight.scorecards.figures import refresh_projects, roll_up
from oversight.scorecards.measures import MEASURES, ON_TIME
from oversight.scorecards.models import ManagerFigure, ProjectFigure, RelationshipFigure
from projects.models import TeamRole
from tests.factories.organizations import CDMOFactory, SponsorFactory
from tests.factories.projects import ProjectMemberFactory, staff_project

from .helpers import NOW, QUARTERS, UTC, change, done_milestone, measured, member, published, question

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
d = dt.date


def busy_project(**kwargs):
    """A project with something for every measure: milestones (one 5 days late), publications
    with a question, a change request still open past its needed-by date."""
    project = staff_project(start_date=d(2026, 6, 1), update_cadence_days=14, **kwargs)
    for day in (3, 10, 15):
        done_milestone(project, baseline=d(2026, 8, 10), actual=d(2026, 8, day))
    update = published(project, dt.datetime(2026, 8, 11, 9, tzinfo=UTC))
    asked = dt.datetime(2026, 8, 11, 10, tzinfo=UTC)
    question(
        update, asked=asked, respond_by=asked + dt.timedelta(days=2), answered=asked + dt.timedelta(hours=4)
    )
    change(project, needed_by=d(2026, 11, 2))
    return project


def stored(project, measure, quarter):
    return ProjectFigure.objects.get(project=project, measure=measure.key, quarter=quarter.start)


def test_a_refresh_stores_what_the_measures_compute(db):
    project = busy_project()
    written = refresh_projects([project.pk])
    assert written == len(MEASURES) * len(QUARTERS)
    for measure in MEASURES:
        live = measured(measure, project, QUARTERS)
        for quarter in QUARTERS:
            row = stored(project, measure, quarter)
            assert (row.n, row.kept, tuple(row.samples)) == (
                live[quarter].tally.n,
                live[quarter].tally.kept,
                live[quarter].tally.samples,
            ), (measure.key, quarter)
    q3 = stored(project, ON_TIME, Q3)
    assert (q3.n, q3.kept, sorted(q3.samples), q3.computed_at) == (3, 2, [0, 0, 5], NOW)
    # Again: the same rows, updated in place.
    refresh_projects([project.pk])
    assert ProjectFigure.objects.filter(project=project).count() == len(MEASURES) * len(QUARTERS)


def test_a_refresh_costs_the_same_queries_for_one_project_or_three(db):
    first = busy_project()
    with CaptureQueriesContext(connection) as one:
        refresh_projects([first.pk])
    more = [busy_project() for _ in range(2)]
    with CaptureQueriesContext(connection) as three:
        refresh_projects([first.pk] + [p.pk for p in more])
    assert len(three.captured_queries) == len(one.captured_queries)
    # A lock, the projects, one read a measure (three for cadence: publications, agreements and
    # the project's settings over time), one upsert, the transaction's savepoint and release;
    # then the falling measures stored (one upsert) and the attention figures that count them
    # (a row lock and one upsert).
    assert len(one.captured_queries) == 2 + len(MEASURES) + 2 + 1 + 2 + 1 + 2
    assert ProjectFigure.objects.filter(measure=ON_TIME.key, quarter=Q3.start, n=3, kept=2).count() == 3


def test_a_change_reaches_the_stored_figures_with_the_projects_recheck(db):
    project = busy_project()
    refresh_projects([project.pk])
    done_milestone(project, baseline=d(2026, 9, 1), actual=d(2026, 9, 11))
    assert stored(project, ON_TIME, Q3).n == 3  # not yet: the worker has not run
    # What the worker runs once the change committed (monitoring.listeners queues it).
    result = monitoring_tasks.recheck_project(project.pk)
    assert result["figures"] == len(MEASURES) * len(QUARTERS)
    row = stored(project, ON_TIME, Q3)
    assert (row.n, row.kept, max(row.samples)) == (4, 2, 10)


def test_the_roll_ups_add_up_each_relationship_and_each_project_manager(db):
    sponsor, cdmo, other_cdmo = SponsorFactory(), CDMOFactory(), CDMOFactory()
    first, second = busy_project(sponsor=sponsor, cdmo=cdmo), busy_project(sponsor=sponsor, cdmo=cdmo)
    elsewhere = busy_project(sponsor=sponsor, cdmo=other_cdmo)
    # One more on-time milestone in the second project; its PM also manages the first.
    done_milestone(second, baseline=d(2026, 9, 1), actual=d(2026, 8, 30))
    manager, own = member(second, TeamRole.PROJECT_MANAGER), member(first, TeamRole.PROJECT_MANAGER)
    ProjectMemberFactory(project=first, role=TeamRole.PROJECT_MANAGER, user=manager)
    result = tasks.refresh_all()
    assert result["figures"] == 3 * len(MEASURES) * len(QUARTERS)

    pair = RelationshipFigure.objects.get(sponsor=sponsor, cdmo=cdmo, measure=ON_TIME.key, quarter=Q3.start)
    assert (pair.projects, pair.n, pair.kept, sorted(pair.samples)) == (2, 7, 5, [0, 0, 0, 0, 0, 5, 5])
    apart = RelationshipFigure.objects.get(
        sponsor=sponsor, cdmo=other_cdmo, measure=ON_TIME.key, quarter=Q3.start
    )
    assert (apart.projects, apart.n, apart.kept) == (1, 3, 2)
    managed = ManagerFigure.objects.get(cdmo=cdmo, manager=manager, measure=ON_TIME.key, quarter=Q3.start)
    assert (managed.projects, managed.n, managed.kept) == (2, 7, 5)
    alone = ManagerFigure.objects.get(cdmo=cdmo, manager=own, measure=ON_TIME.key, quarter=Q3.start)
    assert (alone.projects, alone.n, alone.kept) == (1, 3, 2)
    theirs = member(elsewhere, TeamRole.PROJECT_MANAGER)
    assert set(ManagerFigure.objects.filter(manager=theirs).values_list("cdmo", flat=True)) == {other_cdmo.pk}
    # Rebuilt, not added to: the same rows after a second run.
    counts = RelationshipFigure.objects.count(), ManagerFigure.objects.count()
    roll_up()
    assert (RelationshipFigure.objects.count(), ManagerFigure.objects.count()) == counts
