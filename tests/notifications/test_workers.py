"""Real Celery workers on real Redis, against the test database.

Each test uses its own queue name, so no other worker on the same Redis database
(a developer's, another test run's) can take these tasks, and these workers take no others.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection

from portal.celery import app
from portal.notifications import tasks
from portal.notifications.models import EmailStatus, Notification
from tests.factories.notifications import NotificationFactory

from .conftest import sent_lines

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue_name():
    """A queue of this test's own; whatever is left in Redis afterwards is removed."""
    name = f"notifications-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for pattern in (f"{name}*", f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    # Messages a killed worker had taken but not acknowledged wait in kombu's "unacked" hash.
    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError):
            continue
        if routing_key == name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def real_broker():
    """Tasks go to Redis instead of running in-process."""
    app.conf.task_always_eager = False
    yield  # the autouse celery_eager fixture restores eager mode


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"  # the test database


def _start_worker_process(
    name: str, queue: str, mail_log: Path, log_dir: Path, **extra_env
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "tests.notifications.backends.FileBackend",
        "NOTIFICATION_TEST_MAIL_LOG": str(mail_log),
        "NOTIFICATION_TEST_WORKER": name,
        "LOG_LEVEL": "INFO",
        **extra_env,
    }
    log = open(log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO"]
    command += [
        "-Q",
        queue,
        "-n",
        f"{name}@%h",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
    ]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}")


def _worker_ready(log_dir: Path, name: str) -> bool:
    path = log_dir / f"{name}.log"
    return path.exists() and " ready." in path.read_text()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task, then exit
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _queue_length(queue: str) -> int:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL).llen(queue)


def test_two_workers_given_every_delivery_twice_send_each_email_exactly_once(
    mail_log, tmp_path, queue_name, real_broker
):
    notifications = NotificationFactory.create_batch(30)
    names = ["worker-a", "worker-b"]
    # A little time per send, so the two workers overlap on the same notification.
    workers = [
        _start_worker_process(name, queue_name, mail_log, tmp_path, NOTIFICATION_TEST_SEND_DELAY="0.05")
        for name in names
    ]
    try:
        _wait_for(lambda: all(_worker_ready(tmp_path, name) for name in names), 60, "both workers to start")
        for notification in notifications:
            # Each delivery queued twice in a row: the two workers take the two copies at once.
            tasks.deliver_notification.apply_async((notification.pk,), queue=queue_name)
            tasks.deliver_notification.apply_async((notification.pk,), queue=queue_name)

        _wait_for(
            lambda: Notification.objects.filter(email_status=EmailStatus.SENT).count() == 30,
            90,
            "all 30 emails to be sent",
        )
        _wait_for(lambda: _queue_length(queue_name) == 0, 30, "the queue to drain")
    finally:
        for worker in workers:
            _stop(worker)  # each finishes the copy it holds: every duplicate has run

    lines = sent_lines(mail_log)
    per_notification = Counter(int(line[0]) for line in lines)
    assert per_notification == {n.pk: 1 for n in notifications}, "an email was sent twice or not at all"
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}
    # Both workers really took part (otherwise this proves nothing about concurrency), and
    # every second copy found its email claimed already.
    senders = Counter(line[2] for line in lines)
    assert set(senders) == set(names), senders
    logs = "".join((tmp_path / f"{name}.log").read_text() for name in names)
    assert logs.count(": 'sent'") == 30
    assert logs.count(": 'not_claimed'") == 30


def test_a_worker_killed_in_the_middle_loses_nothing_and_doubles_nothing(
    mail_log, tmp_path, queue_name, real_broker, settings
):
    notifications = NotificationFactory.create_batch(12)
    hung = notifications[5]
    Notification.objects.filter(pk=hung.pk).update(email_subject="HANG-HERE status update due tomorrow")
    worker = _start_worker_process(
        "doomed", queue_name, mail_log, tmp_path, NOTIFICATION_TEST_HANG_SUBJECT="HANG-HERE"
    )
    try:
        _wait_for(lambda: _worker_ready(tmp_path, "doomed"), 60, "the worker to start")
        for notification in notifications:
            tasks.deliver_notification.apply_async((notification.pk,), queue=queue_name)
        # It sends the first five, claims the sixth, and hangs inside the provider call...
        _wait_for(
            lambda: Notification.objects.filter(pk=hung.pk, email_status=EmailStatus.SENDING).exists(),
            60,
            "the worker to claim the sixth email",
        )
        assert len(sent_lines(mail_log)) == 5
    finally:
        worker.kill()  # ...and dies there, as with an out-of-memory kill or a lost machine.
        worker.wait(10)

    statuses = Counter(Notification.objects.values_list("email_status", flat=True))
    assert statuses == {EmailStatus.SENT: 5, EmailStatus.SENDING: 1, EmailStatus.PENDING: 6}

    # Beat's safety nets run later in another worker (here: in-process, eager) and finish the job
    # within two minutes of the claim: stuck after 75 s, recovery every 30 s.
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "tests.notifications.backends.FileBackend"  # same log file, no hang
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=105), tick=False):
        tasks.recover_stuck_deliveries.delay()
        tasks.deliver_pending.delay()
        tasks.recover_stuck_deliveries.delay()
        tasks.deliver_pending.delay()

    assert Counter(int(line[0]) for line in sent_lines(mail_log)) == {n.pk: 1 for n in notifications}
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    hung.refresh_from_db()
    assert hung.email_attempts == 2


@pytest.fixture
def in_process_worker(queue_name, real_broker):
    """A real worker thread in this process (so the flaky provider and mail.outbox are shared)."""

    def close_connection(**kwargs):
        connection.close()  # the worker thread's own database connection

    task_postrun.connect(close_connection, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[queue_name], shutdown_timeout=30
        ):
            yield queue_name
    finally:
        task_postrun.disconnect(close_connection)


def test_a_real_worker_retries_a_failing_provider_with_backoff_until_sent(
    flaky_provider, in_process_worker, settings
):
    settings.NOTIFICATION_RETRY_BACKOFF_SECONDS = 0.5  # 0.5 s, 1 s, 2 s: fast, but really waited
    flaky_provider.failures_left = 3
    notification = NotificationFactory()

    started = time.monotonic()
    tasks.deliver_notification.apply_async((notification.pk,), queue=in_process_worker)
    _wait_for(
        lambda: Notification.objects.filter(pk=notification.pk, email_status=EmailStatus.SENT).exists(),
        30,
        "the email to be sent after the retries",
    )
    elapsed = time.monotonic() - started

    notification.refresh_from_db()
    assert notification.email_attempts == 4
    assert notification.email_last_error == ""
    assert len(mail.outbox) == 1
    assert elapsed >= 0.5 + 1 + 2  # the worker waited between attempts
