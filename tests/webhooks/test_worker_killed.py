"""Real Celery workers: one retries a refused delivery after its back-off; one is killed with -9
in the middle of a delivery, and the webhook still arrives, signed, and the receiver acts on it
once.

The receiver (tests/webhooks/conftest.py) leaves the first request unanswered, so the worker sits
inside its POST; the test kills it there (SIGKILL: no clean-up of any kind), starts another
worker, and lets the outbox relay send the work again once the leases ran out. The endpoint has
then seen the request twice with the same event id: the first was never answered (it is the
one a real endpoint may or may not have acted on), the second was answered 200. The receiver,
as docs/webhooks.md asks, acts on an event id once; the delivery log says delivered, two
attempts.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from integration.webhooks.listeners import DELIVER
from integration.webhooks.models import DeliveryStatus, WebhookDelivery
from portal.celery import app
from portal.core import queue
from portal.core.models import OutboxStatus, OutboxTask
from tests.factories.webhooks import WebhookSubscriptionFactory
from tests.projects.update_helpers import published_update

REPO_ROOT = Path(__file__).resolve().parents[2]
LEASE = 2  # seconds: the outbox lease and the delivery's claim, short so the test is quick
pytestmark = pytest.mark.django_db(transaction=True)


def _route(routes: dict) -> None:
    """New routes for the publishing side; Celery builds its router once, so it is built again."""
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def own_queue():
    """The delivery task goes to a queue of this test's own, taken only by the workers it starts."""
    name = f"webhooks-test-{uuid.uuid4().hex[:10]}"
    previous_routes, previous_eager = dict(app.conf.task_routes or {}), app.conf.task_always_eager
    _route(previous_routes | {DELIVER: {"queue": name}})
    app.conf.task_always_eager = False
    yield name
    _route(previous_routes)
    app.conf.task_always_eager = previous_eager
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for pattern in (f"{name}*", f"_kombu.binding.{name}"):
        for key in client.scan_iter(pattern):
            client.delete(key)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _start_worker(name: str, queue_name: str, log_dir: Path, **extra_env) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "OUTBOX_LEASE_SECONDS": str(LEASE),
        "WEBHOOK_CLAIM_SECONDS": str(LEASE),
        "WEBHOOK_TIMEOUT_SECONDS": "60",  # the worker waits on the unanswered request until killed
        "LOG_LEVEL": "INFO",
        **extra_env,
    }
    log = open(log_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO"]
    command += [
        "-Q",
        queue_name,
        "-n",
        f"{name}@%h",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
    ]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(condition, timeout: float, what: str, log_dir: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(p.read_text()[-3000:] for p in log_dir.glob("*.log"))
    raise AssertionError(f"Timed out waiting for {what}\n{logs}")


def _ready(log_dir: Path, name: str) -> bool:
    path = log_dir / f"{name}.log"
    return path.exists() and " ready." in path.read_text()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_a_worker_killed_mid_delivery_and_the_relay_deliver_once(
    project, cdmo_pm, sponsor_lead, receiver, own_queue, tmp_path, settings
):
    settings.OUTBOX_LEASE_SECONDS = LEASE
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    receiver.hang_next = True
    doomed = _start_worker("doomed", own_queue, tmp_path)
    replacement = None
    try:
        _wait_for(lambda: _ready(tmp_path, "doomed"), 60, "the first worker to start", tmp_path)
        published_update(cdmo_pm, project)  # commits; the outbox row goes to the queue
        delivery = WebhookDelivery.objects.get(subscription=subscription)
        _wait_for(lambda: len(receiver.received) == 1, 30, "the first POST to arrive", tmp_path)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENDING
        doomed.kill()  # in the middle of the POST, as with an out-of-memory kill or a lost machine
        doomed.wait(10)
        killed_at = time.monotonic()

        replacement = _start_worker("replacement", own_queue, tmp_path)
        _wait_for(lambda: _ready(tmp_path, "replacement"), 60, "the second worker to start", tmp_path)

        def relayed_and_delivered():
            queue.relay_outbox()  # what beat runs every OUTBOX_RELAY_SECONDS
            delivery.refresh_from_db()
            return delivery.status == DeliveryStatus.DELIVERED

        _wait_for(relayed_and_delivered, LEASE * 10 + 30, "the relay's re-send to be delivered", tmp_path)
        recovered = time.monotonic() - killed_at
        # Give a double every chance to show up: more relay rounds past the leases.
        time.sleep(LEASE * 2 + 1)
        queue.relay_outbox()
        time.sleep(1)
    finally:
        for worker in (doomed, replacement):
            if worker is not None:
                _stop(worker)

    print(f"\nwebhook delivered {recovered:.1f} s after kill -9 (replacement worker start included)")
    assert len(receiver.received) == 2
    assert {r.json["id"] for r in receiver.received} == {str(delivery.event_id)}
    assert all(r.verifies() for r in receiver.received)
    assert receiver.handled == [str(delivery.event_id)]  # acted on once
    assert (delivery.attempts, delivery.response_code) == (2, 200)
    assert OutboxTask.objects.get(task_name=DELIVER).status == OutboxStatus.DONE


def test_a_real_worker_retries_after_the_back_off_and_delivers(
    project, cdmo_pm, sponsor_lead, receiver, own_queue, tmp_path
):
    """No relay here: the task's own retry (a countdown message, the outbox row waiting with a
    lease past it) brings the second attempt."""
    subscription = WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    receiver.answers = [503]
    worker = _start_worker("retrying", own_queue, tmp_path, WEBHOOK_RETRY_BASE_SECONDS="1")
    try:
        _wait_for(lambda: _ready(tmp_path, "retrying"), 60, "the worker to start", tmp_path)
        published_update(cdmo_pm, project)
        delivery = WebhookDelivery.objects.get(subscription=subscription)

        def delivered():
            delivery.refresh_from_db()
            return delivery.status == DeliveryStatus.DELIVERED

        _wait_for(delivered, 30, "the retry to be delivered", tmp_path)
    finally:
        _stop(worker)
    assert [a["code"] for a in delivery.attempt_log] == [503, 200]
    gap = dt.datetime.fromisoformat(delivery.attempt_log[1]["at"]) - dt.datetime.fromisoformat(
        delivery.attempt_log[0]["at"]
    )
    assert gap >= dt.timedelta(seconds=1)
    assert receiver.handled == [str(delivery.event_id)]
    assert OutboxTask.objects.get(task_name=DELIVER).status == OutboxStatus.DONE
