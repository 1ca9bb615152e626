"""The fault test: Redis restarts (its messages lost) and a worker is killed with -9 holding a
task; every email still arrives exactly once.

A real redis-server is started by the test on a free port with persistence off (as the old
docker-compose ran it), real `celery worker` processes run against the test database, and the
relay and the stuck-email recovery (beat's work) run in this process. Timings are short through
settings and env (lease 2 s, stuck after 3 s); `FAULT_TEST_PRODUCTION_TIMINGS=1` runs the same
story with the production settings (lease 60 s, relay every 30 s, stuck after 75 s) and prints
the recovery time. Nothing here is shared with another test run: own Redis, own port, own
test database (safe under pytest-xdist).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings

from issues import services as issue_services
from issues.models import Category, Severity
from portal.celery import app
from portal.core import queue
from portal.core.models import OutboxStatus, OutboxTask
from portal.notifications import delivery
from portal.notifications.models import EmailStatus, Notification
from projects import services
from projects.models import ProjectMember, TeamRole
from projects.selectors import sponsor_team
from tests.factories.projects import staff_project
from tests.projects.update_helpers import access, ready_draft

REPO_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = os.environ.get("FAULT_TEST_PRODUCTION_TIMINGS") == "1"
LEASE, STUCK, RELAY_EVERY = (60.0, 75.0, 30.0) if PRODUCTION else (2.0, 3.0, 0.5)
HANG = "HANG-HERE"

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, timeout: float, what: str, beat=None) -> None:
    """Poll `condition`; `beat` (if given) runs every RELAY_EVERY seconds meanwhile, as beat would."""
    deadline = time.monotonic() + timeout
    last_beat = time.monotonic()
    while time.monotonic() < deadline:
        if condition():
            return
        if beat and time.monotonic() - last_beat >= RELAY_EVERY:
            beat()
            last_beat = time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}")


class RedisServer:
    """A redis-server of this test's own, without persistence: a restart loses every message."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
            + ["--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        _wait_for(answers, 20, "redis-server to answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def queue_length(self, name: str = "celery") -> int:
        return redis.Redis(port=self.port).llen(name)


def _use_broker(url: str) -> None:
    # Celery keeps its broker connections in pools made on first use: drop them too.
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    previous = app.conf.broker_url, app.conf.task_always_eager
    _use_broker(server.url)
    app.conf.task_always_eager = False
    yield server
    _use_broker(previous[0])
    app.conf.task_always_eager = previous[1]
    server.stop()


@pytest.fixture
def fault_settings(settings, tmp_path, monkeypatch):
    settings.OUTBOX_LEASE_SECONDS = LEASE
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = STUCK
    mail_log = tmp_path / "sent.log"
    mail_log.touch()
    monkeypatch.setenv("NOTIFICATION_TEST_MAIL_LOG", str(mail_log))
    return mail_log


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"  # the test database


def _start_worker(name: str, broker_url: str, mail_log: Path, log_dir: Path, **extra_env) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_BACKEND": "tests.notifications.backends.FileBackend",
        "NOTIFICATION_TEST_MAIL_LOG": str(mail_log),
        "NOTIFICATION_TEST_WORKER": name,
        "OUTBOX_LEASE_SECONDS": str(LEASE),
        "NOTIFICATION_STUCK_AFTER_SECONDS": str(STUCK),
        "LOG_LEVEL": "INFO",
        **extra_env,
    }
    log = open(log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["-n", f"{name}@%h", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _worker_ready(log_dir: Path, name: str) -> bool:
    path = log_dir / f"{name}.log"
    return path.exists() and " ready." in path.read_text()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _sent_per_notification(mail_log: Path) -> Counter:
    return Counter(int(line.split("\t")[0]) for line in mail_log.read_text().splitlines() if line)


def beat_once() -> None:
    """What beat runs on its short schedules: the outbox relay and the stuck-email recovery."""
    queue.relay_outbox()
    delivery.recover_stuck_deliveries()


def test_a_redis_restart_and_a_killed_worker_lose_no_email_and_double_none(
    own_redis, fault_settings, tmp_path
):
    mail_log = fault_settings
    projects = [staff_project() for _ in range(3)]
    drafts = []
    for index, project in enumerate(projects):
        pm = ProjectMember.objects.get(project=project, role=TeamRole.PROJECT_MANAGER).user
        title = f"{HANG} batch record" if index == 1 else f"Batch {index} on track"
        drafts.append((pm, project, ready_draft(pm, project, title=title)))
    # Each publish commits its outbox row, then hands the task to Redis; no worker is running yet.
    for pm, project, draft in drafts:
        services.update_publish(access=access(pm, project), update=draft, version=draft.version)
    # ...and a sponsor raises a service issue (its event emails the CDMO project manager).
    lead = ProjectMember.objects.get(project=projects[0], role=TeamRole.SPONSOR_LEAD).user
    issue_services.issue_raise(
        access=access(lead, projects[0]),
        category=Category.DOCUMENTATION,
        severity=Severity.MAJOR,
        title="Batch record for EB-02 is late",
        description="The executed batch record was promised for Monday.",
        desired_outcome="The record this week.",
    )
    expected = sum(len(sponsor_team(project=project)) for project in projects) + 1
    assert expected == 7
    assert own_redis.queue_length() == 4
    assert OutboxTask.objects.filter(status=OutboxStatus.PENDING).count() == 4

    # Redis restarts without persistence: the four messages are gone from it.
    own_redis.restart()
    restarted_at = time.monotonic()
    _use_broker(own_redis.url)
    assert own_redis.queue_length() == 0

    # A worker starts; the relay sends the work again once the lease runs out. The worker
    # hangs inside the provider call on one email...
    doomed = _start_worker("doomed", own_redis.url, mail_log, tmp_path, NOTIFICATION_TEST_HANG_SUBJECT=HANG)
    replacement = None
    try:
        _wait_for(lambda: _worker_ready(tmp_path, "doomed"), 60, "the first worker to start")
        _wait_for(
            lambda: Notification.objects.filter(
                email_status=EmailStatus.SENDING, email_subject__contains=HANG
            ).exists(),
            LEASE * 4 + 60,
            "the first worker to claim the email it hangs on",
            beat=beat_once,
        )
        resumed = time.monotonic() - restarted_at
        # ...and is killed there (kill -9: no clean-up of any kind).
        doomed.kill()
        doomed.wait(10)
        killed_at = time.monotonic()
        assert Notification.objects.filter(email_status=EmailStatus.SENDING).count() >= 1

        replacement = _start_worker("replacement", own_redis.url, mail_log, tmp_path)
        _wait_for(lambda: _worker_ready(tmp_path, "replacement"), 60, "the second worker to start")
        _wait_for(
            lambda: (
                Notification.objects.count() == expected
                and not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()
            ),
            STUCK + LEASE * 4 + 120,
            "every email to be sent",
            beat=beat_once,
        )
        recovery = time.monotonic() - killed_at
        # Give any duplicate a chance to show up, then let the relay find nothing left.
        _wait_for(
            lambda: not OutboxTask.objects.exclude(status=OutboxStatus.DONE).exists(),
            LEASE * 4 + 60,
            "every outbox row to be done",
            beat=beat_once,
        )
    finally:
        for worker in (doomed, replacement):
            if worker is not None:
                _stop(worker)

    sent = _sent_per_notification(mail_log)
    notifications = set(Notification.objects.values_list("pk", flat=True))
    print(
        f"\nfault test: {expected} emails expected, {sum(sent.values())} sent; work lost with Redis "
        f"resumed {resumed:.1f} s after the restart (worker start included); every email sent "
        f"{recovery:.1f} s after kill -9 (replacement worker start included)"
    )
    assert sent == {pk: 1 for pk in notifications}, "an email was lost or sent twice"
    assert len(notifications) == expected
    assert not OutboxTask.objects.filter(status=OutboxStatus.FAILED).exists()
