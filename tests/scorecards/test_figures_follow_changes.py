"""The new measures' records ask for their project's recheck when written (monitoring.listeners
WATCHED), and the recheck stores what the measures then say."""

import datetime as dt

import pytest

from issues.recognition import Target
from issues.services.recognition import recognition_give
from oversight.monitoring import tasks as monitoring_tasks
from oversight.scorecards.measures import RECOGNITION, UPDATES_ACKNOWLEDGED
from oversight.scorecards.models import ProjectFigure
from oversight.scorecards.quarters import Quarter
from portal.core.models import OutboxTask
from projects import services
from projects.models import TeamRole
from projects.selectors import access_for
from tests.factories.projects import staff_project

from .helpers import UTC, member, published

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4 = Quarter(2026, 4)


def rechecks(project) -> int:
    return OutboxTask.objects.filter(
        task_name=monitoring_tasks.recheck_project.name, args=[project.pk]
    ).count()


def stored(project, measure):
    return ProjectFigure.objects.get(project=project, measure=measure.key, quarter=Q4.start)


def test_an_acknowledgement_asks_for_the_recheck_that_stores_it(db, settings):
    project = staff_project(start_date=dt.date(2026, 1, 5))
    update = published(project, dt.datetime(2026, 11, 16, 15, tzinfo=UTC))
    monitoring_tasks.recheck_project(project.pk)
    assert stored(project, UPDATES_ACKNOWLEDGED).n == 0  # within its two business days: not yet
    settings.MONITORING_RECHECK_ON_CHANGE = True

    services.update_acknowledge(
        access=access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project), update=update
    )

    assert rechecks(project) == 1
    monitoring_tasks.recheck_project(project.pk)  # what the worker runs after the commit
    row = stored(project, UPDATES_ACKNOWLEDGED)
    # Published Monday 16 Nov 15:00 UTC, acknowledged now (Wednesday 10:00 UTC): 43 hours, in time.
    assert (row.n, row.kept, list(row.samples)) == (1, 1, [43.0])


def test_a_recognition_asks_for_the_recheck_that_counts_it(db, settings):
    project = staff_project(start_date=dt.date(2026, 1, 5))
    update = published(project, dt.datetime(2026, 11, 16, 15, tzinfo=UTC))
    monitoring_tasks.recheck_project(project.pk)
    assert stored(project, RECOGNITION).n == 0
    settings.MONITORING_RECHECK_ON_CHANGE = True

    recognition_give(
        access=access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project),
        target=Target(label="projects.statusupdate", obj=update),
        note="Clear and early.",
        notify=False,
    )

    assert rechecks(project) == 1
    monitoring_tasks.recheck_project(project.pk)
    row = stored(project, RECOGNITION)
    assert (row.n, list(row.samples)) == (1, [0.0])  # the whole team thanked, nobody named
