"""One door for queueing background work.

Tasks are queued after the surrounding transaction commits, so a worker never reads a row that
is not there yet. If the broker is unreachable the page still works and the work is not lost:
it is kept in the database (`PendingTask`) and queued again by `send_pending_tasks` once the
broker answers (beat runs it every minute; beat itself needs the broker, so it runs exactly when
the broker is back).
"""

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

BATCH = 500


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task.delay(*args, **kwargs)` once the current transaction commits.

    Arguments must be JSON values (ids, strings), as for any Celery task here.
    """

    def _send():
        try:
            task.delay(*args, **kwargs)
        except BrokerUnavailable as exc:
            from .models import PendingTask

            PendingTask.objects.create(
                task_name=task.name, args=list(args), kwargs=kwargs, error=str(exc)[:500]
            )
            logger.error("Broker unavailable; %s%r not queued, kept in the database", task.name, args)

    transaction.on_commit(_send)


def send_pending_tasks(*, now=None) -> int:
    """Queue what was kept while the broker was down, oldest first; returns how many were sent.

    Rows are claimed with SKIP LOCKED, so two runs never queue the same row, and a row is marked
    in the same transaction that queued it. Stops at the first broker failure (still down).
    """
    from celery import current_app

    from .models import PendingTask

    sent = 0
    with transaction.atomic():
        rows = list(
            PendingTask.objects.filter(queued_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")[:BATCH]
        )
        done = []
        for row in rows:
            task = current_app.tasks.get(row.task_name)
            if task is None:
                row.error = f"No task named {row.task_name} in this version; left for a person to look at."
                row.save(update_fields=["error"])
                continue
            try:
                task.apply_async(args=row.args, kwargs=row.kwargs)
            except BrokerUnavailable:
                logger.warning("Broker still unavailable; %s pending task(s) wait", len(rows) - sent)
                break
            done.append(row.pk)
            sent += 1
        if done:
            PendingTask.objects.filter(pk__in=done).update(queued_at=now or timezone.now())
    return sent
