"""One door for background work: a transactional outbox in PostgreSQL, Redis only as the carrier.

Life of a piece of work (`OutboxTask` row):

1. `enqueue_on_commit(task, *args)` INSERTs the row in the caller's transaction. A rollback
   drops it with the change; a commit keeps it. Who was signed in (`triggered_by`, a contextvar a
   middleware sets) is written on it, so a failure can be told to that person.
2. After commit the row is published to Celery with task id `outbox-<pk>`. If the broker is down
   the row simply waits (its lease is set to now, so the relay picks it up first).
3. The worker claims the row when the task starts (compare-and-set: pending, or running with an
   expired lease). A duplicate message for a row that is done or held by a live worker is skipped
   after one UPDATE. On success the row is marked done; a retry puts it back to pending with a
   lease past the retry's countdown; a task that cannot succeed is marked failed with the error
   and `background_task_failed` is sent (notifications turns it into a bell item for the person
   who triggered it; staff see failed rows in the admin).
4. The relay (`relay_outbox`, beat every OUTBOX_RELAY_SECONDS) re-sends rows not done whose lease
   ran out: a message lost with Redis (restart without persistence, FLUSHALL), a worker killed
   with -9 in the middle. The lease doubles with each send (a backlog does not snowball), the
   relay stops at the first broker failure, and a row sent OUTBOX_MAX_SENDS times is failed.

Recovery after a lost message or a dead worker: at most lease (OUTBOX_LEASE_SECONDS, 60 s) plus
one relay period (30 s). Every task is idempotent (it re-reads its rows; notify() and the email
claim dedupe), so a re-send is harmless; that includes a task that runs longer than its lease,
which the relay may hand to a second worker. Emails keep their own state machine on the
notification row (portal/notifications/delivery.py), so an email a dead worker was sending is
retried by the stuck-email recovery even when its outbox row was finished by a duplicate.
Finished rows are kept as the record of background work (staff filter them in the admin).

Held work: inside `with held():` (the demo replaying history) `enqueue_on_commit` still writes
the row, as done with no send and no run (sends=0, runs=0), and never publishes it; the relay
only looks at unfinished rows, so no email or notification of a replayed past goes out.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from .models import OutboxStatus, OutboxTask, outbox_pk_from, task_id_for
from .signals import background_task_failed

logger = logging.getLogger(__name__)

BATCH = 500
MAX_LEASE = dt.timedelta(hours=1)
UNFINISHED = (OutboxStatus.PENDING, OutboxStatus.RUNNING)

# The signed-in user whose request (or whose task) is asking for work: set by
# portal.core.middleware for requests and by the task base while a task runs.
triggered_by: contextvars.ContextVar[int | None] = contextvars.ContextVar("triggered_by", default=None)

# Inside held(): work is recorded, never sent (a context variable: other threads and requests
# are not held).
_held: contextvars.ContextVar[bool] = contextvars.ContextVar("outbox_held", default=False)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Work enqueued inside the block is recorded in the outbox as done without being sent:
    the demo replays history through the services without mailing anyone."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def is_held() -> bool:
    return _held.get()


def lease(sends: int) -> dt.timedelta:
    """How long a row may stay unfinished after its `sends`-th send before the relay sends it again."""
    base = float(getattr(settings, "OUTBOX_LEASE_SECONDS", 60))
    return min(MAX_LEASE, dt.timedelta(seconds=base * 2 ** max(sends - 1, 0)))


def enqueue_on_commit(task, *args, **kwargs) -> OutboxTask:
    """Write `task(*args, **kwargs)` to the outbox now and send it to Celery once the current
    transaction commits (at once when there is none). `task` is a task or its name, so a module
    can queue work without importing the tasks module that imports it.

    Arguments must be JSON values (ids, strings). The task must be idempotent: the relay may
    send it again after a crash. Inside `held()` the row is written as done and never sent.
    """
    return enqueue_many_on_commit(task, [(args, kwargs)])[0]


def enqueue_many_on_commit(task, calls: Iterable[tuple[Sequence, dict]]) -> list[OutboxTask]:
    """`enqueue_on_commit` for many calls of one task (`(args, kwargs)` each) in one INSERT:
    a sweep's hundred webhook deliveries cost one statement, not a hundred."""
    now = timezone.now()
    name = task if isinstance(task, str) else task.name
    by = triggered_by.get()
    if _held.get():
        state = {"status": OutboxStatus.DONE, "lease_until": now, "finished_at": now}
    else:
        state = {"sends": 1, "queued_at": now, "lease_until": now + lease(1)}
    rows = OutboxTask.objects.bulk_create(
        [
            OutboxTask(
                task_name=name, args=list(args), kwargs=kwargs, triggered_by_id=by, created_at=now, **state
            )
            for args, kwargs in calls
        ]
    )
    if not _held.get():
        for row in rows:
            transaction.on_commit(_Publish(row))
    return rows


class _Publish:
    """The after-commit send of one outbox row (a callable that remembers its row, so
    `enqueue_once_on_commit` can see what the transaction already asked for)."""

    def __init__(self, row: OutboxTask):
        self.row = row

    def __call__(self) -> None:
        _publish(self.row)


def enqueue_once_on_commit(task, *args, **kwargs) -> OutboxTask | None:
    """`enqueue_on_commit`, unless this transaction already queued the same task with the same
    arguments (then that row is returned): ten changes to one project in one transaction ask
    for one re-evaluation. A savepoint rolled back takes its row and its claim with it. Inside
    `held()` nothing is recorded (returns None): this is for work that refreshes derived state,
    which a replayed past does not need."""
    if _held.get():
        return None
    name = task if isinstance(task, str) else task.name
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, *_rest in connection.run_on_commit:
            if isinstance(callback, _Publish) and (
                callback.row.task_name,
                callback.row.args,
                callback.row.kwargs,
            ) == (name, list(args), kwargs):
                return callback.row
    return enqueue_on_commit(name, *args, **kwargs)


def _publish(row: OutboxTask) -> None:
    try:
        current_app.tasks[row.task_name].apply_async(
            args=row.args, kwargs=row.kwargs, task_id=task_id_for(row.pk)
        )
    except BrokerUnavailable as exc:
        # Nothing is lost: the row is committed; the relay sends it when the broker answers.
        OutboxTask.objects.filter(pk=row.pk, status=OutboxStatus.PENDING).update(
            sends=0, queued_at=None, lease_until=timezone.now(), error=f"Broker unavailable: {exc}"[:2000]
        )
        logger.error(
            "Broker unavailable; %s%r not queued now, kept in the outbox for the relay",
            row.task_name,
            row.args,
        )


def relay_outbox(*, now: dt.datetime | None = None) -> int:
    """Send again the rows whose lease ran out, oldest lease first; returns how many were sent.

    Rows are locked with SKIP LOCKED, so two relays never send the same row. Stops at the first
    broker failure (it is still down; the rows keep their place).
    """
    now = now or timezone.now()
    max_sends = int(getattr(settings, "OUTBOX_MAX_SENDS", 12))
    sent = 0
    with transaction.atomic():
        rows = list(
            OutboxTask.objects.filter(status__in=UNFINISHED, lease_until__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("lease_until", "pk")[:BATCH]
        )
        for row in rows:
            task = current_app.tasks.get(row.task_name)
            if task is None:
                _fail(row, f"No task named {row.task_name} in this version; left for a person to look at.")
                continue
            if row.sends >= max_sends:
                _fail(row, f"Sent to the workers {row.sends} times without finishing; gave up.")
                continue
            try:
                task.apply_async(args=row.args, kwargs=row.kwargs, task_id=task_id_for(row.pk))
            except BrokerUnavailable:
                logger.warning("Broker still unavailable; %s outbox row(s) wait", len(rows) - sent)
                break
            # Conditional: an eager run (tests) may have finished it already.
            OutboxTask.objects.filter(pk=row.pk, status__in=UNFINISHED).update(
                status=OutboxStatus.PENDING,
                sends=F("sends") + 1,
                queued_at=now,
                lease_until=now + lease(row.sends + 1),
            )
            sent += 1
    if sent:
        logger.info("Relay sent %s unfinished task(s) again", sent)
    return sent


# --- the worker's side (called by portal.core.task_base.PortalTask) -----------------------------


def claim(task_id: str | None) -> tuple[bool, OutboxTask | None]:
    """(run it?, its outbox row). A message without a row (beat, a direct call) just runs."""
    pk = outbox_pk_from(task_id)
    if pk is None:
        return True, None
    now = timezone.now()
    claimed = (
        OutboxTask.objects.filter(pk=pk)
        .filter(Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.RUNNING, lease_until__lt=now))
        .update(status=OutboxStatus.RUNNING, started_at=now, runs=F("runs") + 1, lease_until=now + lease(1))
    )
    if not claimed:
        # Done already (a duplicate delivery) or a live worker holds it: nothing to do.
        return False, None
    return True, OutboxTask.objects.get(pk=pk)


def finished(row: OutboxTask) -> None:
    # Unconditional on purpose: if the relay re-sent it meanwhile, "done" is still the truth.
    OutboxTask.objects.filter(pk=row.pk).update(
        status=OutboxStatus.DONE, finished_at=timezone.now(), error=""
    )


def retry_later(row: OutboxTask, *, delay_seconds: float, error: str) -> None:
    """A retry is on its way through the broker; the lease covers its countdown, so the relay
    only steps in if that message is lost."""
    OutboxTask.objects.filter(pk=row.pk, status=OutboxStatus.RUNNING).update(
        status=OutboxStatus.PENDING,
        lease_until=timezone.now() + dt.timedelta(seconds=delay_seconds) + lease(1),
        error=error[:2000],
    )


def failed(row: OutboxTask | None, *, task_name: str, args, kwargs, error: str) -> OutboxTask:
    """Record a task that cannot succeed and announce it. Work without an outbox row (a beat
    task) gets a row now, so staff find every failure in one place."""
    if row is None:
        row = OutboxTask.objects.create(
            task_name=task_name,
            args=list(args or []),
            kwargs=dict(kwargs or {}),
            triggered_by_id=triggered_by.get(),
            status=OutboxStatus.RUNNING,
        )
    _fail(row, error)
    return row


def _fail(row: OutboxTask, error: str) -> None:
    now = timezone.now()
    OutboxTask.objects.filter(pk=row.pk).update(
        status=OutboxStatus.FAILED, finished_at=now, error=error[:2000]
    )
    row.status, row.finished_at, row.error = OutboxStatus.FAILED, now, error[:2000]
    logger.error("Background task %s%r failed: %s", row.task_name, tuple(row.args), error)
    background_task_failed.send(sender=OutboxTask, task=row)
