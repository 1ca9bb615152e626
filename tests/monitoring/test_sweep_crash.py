"""A sweep killed half-way loses nothing and doubles nothing when it runs again.

The sweep runs as a real process (`manage.py run_sweep`) against the test
database. The test holds an exclusive lock on the action items table from another
connection, so the process commits the first rules (each with the attention figures of the
projects whose flags it changed, which read the milestones) and then waits on the action-item
rule; the test kills it there (SIGKILL: no clean-up of any kind), releases the lock and sweeps
again.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from oversight.monitoring.attention import live_figures
from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.services import sweep
from projects.models import ProjectMember, TeamRole
from tests.factories.meetings import ActionItemFactory
from tests.factories.projects import MilestoneFactory, staff_project
from tests.monitoring.attention_helpers import stored_figures

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_sweep_killed_mid_way_then_rerun_loses_and_doubles_nothing():
    today = timezone.localdate()
    projects = [staff_project(start_date=today - dt.timedelta(days=90)) for _ in range(6)]
    ProjectMember.objects.filter(project__in=projects[:3], role=TeamRole.DECISION_MAKER).update(
        removed_at=timezone.now()
    )
    for project in projects:
        MilestoneFactory(
            project=project,
            baseline_date=today - dt.timedelta(days=30),
            forecast_date=today - dt.timedelta(days=10),
        )
        ActionItemFactory(meeting__project=project, due_date=today - dt.timedelta(days=3))

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = _database_url()
    blocker = psycopg.connect(_database_url().replace("postgres://", "postgresql://"), autocommit=False)
    try:
        blocker.execute("LOCK TABLE meetings_actionitem IN ACCESS EXCLUSIVE MODE")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_sweep"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        # The early rules commit; then the process waits for the action items table.
        assert _wait_for(lambda: Flag.objects.filter(kind=FlagKind.MILESTONE_PAST_DUE).count() == 6), (
            process.stdout
        )
        assert _wait_for(
            lambda: (
                blocker.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).fetchone()[0]
                >= 1
            )
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()

    assert Flag.objects.filter(kind=FlagKind.STALE_UPDATE).count() == 6
    assert Flag.objects.filter(kind=FlagKind.NO_DECISION_MAKER).count() == 3
    assert Flag.objects.filter(kind=FlagKind.ACTION_ITEM_OVERDUE).count() == 0
    # Each committed rule brought its projects' dashboard figures along.
    assert stored_figures() == live_figures()

    sweep()
    assert Flag.objects.filter(kind=FlagKind.STALE_UPDATE).count() == 6
    assert Flag.objects.filter(kind=FlagKind.NO_DECISION_MAKER).count() == 3
    assert Flag.objects.filter(kind=FlagKind.MILESTONE_SLIP).count() == 6
    assert Flag.objects.filter(kind=FlagKind.MILESTONE_PAST_DUE).count() == 6
    assert Flag.objects.filter(kind=FlagKind.ACTION_ITEM_OVERDUE).count() == 6
    assert stored_figures() == live_figures()
    before = Flag.objects.count()
    again = sweep()
    assert (again.raised, again.cleared, Flag.objects.count()) == ([], 0, before)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_raise_each_flag_once():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import close_old_connections

    today = timezone.localdate()
    for _ in range(8):
        staff_project(start_date=today - dt.timedelta(days=60))

    def run():
        try:
            return sweep()
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: run(), range(2)))
    assert Flag.objects.filter(kind=FlagKind.STALE_UPDATE, cleared_at__isnull=True).count() == 8
    assert sum(len(r.raised) for r in results) == Flag.objects.count()
