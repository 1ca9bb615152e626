"""With a real Celery worker: a forecast moved from +21 to +28 days shows in its flag's text
once the change commits, without a sweep (the worker runs the project's re-evaluation)."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app as app
from django.utils import timezone

from oversight.monitoring import tasks
from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.services import sweep
from portal.core.models import OutboxStatus, OutboxTask
from projects import services
from projects.models import Milestone, MilestoneKind, ProjectMember, TeamRole
from tests.factories.projects import staff_project
from tests.portal.test_fault_redis_worker import (
    RedisServer,
    _start_worker,
    _stop,
    _use_broker,
    _wait_for,
    _worker_ready,
)
from tests.projects.update_helpers import access

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path, settings):
    settings.MONITORING_RECHECK_ON_CHANGE = True
    server = RedisServer(tmp_path)
    server.start()
    previous = app.conf.broker_url, app.conf.task_always_eager
    _use_broker(server.url)
    app.conf.task_always_eager = False
    mail_log = tmp_path / "sent.log"
    mail_log.touch()
    process = _start_worker("recheck", server.url, mail_log, tmp_path)
    try:
        _wait_for(lambda: _worker_ready(tmp_path, "recheck"), 60, "the worker to start")
        yield process
    finally:
        _stop(process)
        _use_broker(previous[0])
        app.conf.task_always_eager = previous[1]
        server.stop()


def _flag(milestone) -> Flag:
    return Flag.objects.get(kind=FlagKind.MILESTONE_SLIP, subject_id=milestone.pk, cleared_at__isnull=True)


def test_the_worker_brings_the_flag_in_line_with_the_new_forecast_without_a_sweep(worker):
    project = staff_project()
    baseline = timezone.localdate() + dt.timedelta(days=30)
    milestone = Milestone.objects.create(
        project=project,
        kind=MilestoneKind.choices[0][0],
        title="GMP batch 1",
        baseline_date=baseline,
        forecast_date=baseline + dt.timedelta(days=21),
    )
    sweep(notify=False)
    _wait_for(
        lambda: (
            not OutboxTask.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.RUNNING]).exists()
        ),
        60,
        "the setup's work to finish",
    )
    assert "forecast 21 days" in _flag(milestone).explanation

    milestone.refresh_from_db()
    pm = ProjectMember.objects.get(project=project, role=TeamRole.PROJECT_MANAGER).user
    services.milestone_change_forecast(
        access=access(pm, project),
        milestone=milestone,
        new_date=baseline + dt.timedelta(days=28),
        reason="Raw material delayed",
        version=milestone.version,
    )

    _wait_for(lambda: "forecast 28 days" in _flag(milestone).explanation, 60, "the flag to say 28 days")
    (row,) = OutboxTask.objects.filter(task_name=tasks.recheck_project.name, args=[project.pk]).order_by(
        "-pk"
    )[:1]
    _wait_for(lambda: OutboxTask.objects.get(pk=row.pk).status == OutboxStatus.DONE, 30, "the row to be done")
