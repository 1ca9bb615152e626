"""The one base of every Celery task: audit context, outbox bookkeeping and the retry policy.

- Every run happens inside a pghistory context naming the task as the actor, so changes a
  worker makes show in the audit trail as "task: <name>".
- A task queued through the outbox (`portal.core.queue`) claims its row first; a duplicate
  delivery of finished work is skipped. Work it queues in turn names the same person.
- Retry policy, the same for every task: any error is retried with exponential back-off
  (RETRY_BACKOFF_SECONDS, doubling up to RETRY_BACKOFF_MAX_SECONDS, MAX_RETRIES times), except
  errors retrying cannot fix (PERMANENT_ERRORS). A task that cannot succeed is never silent: its
  outbox row is marked failed with the error, staff see it in the admin, and the person who
  triggered it is told (`portal.core.signals.background_task_failed`).

Celery creates the task classes once Django is set up (`task_cls` is given by name in
portal/celery.py), so this module may import models.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pghistory
from celery import Task
from celery.exceptions import Ignore, Reject, Retry
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError

from . import queue

logger = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = 30
RETRY_BACKOFF_MAX_SECONDS = 600
MAX_RETRIES = 5


class PermanentTaskError(Exception):
    """Raise from a task when trying again cannot help; the message is shown to people."""


# Errors no retry can fix: bad data or code (BadHeaderError is a ValueError), a refused address.
PERMANENT_ERRORS = (
    PermanentTaskError,
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    ObjectDoesNotExist,
    smtplib.SMTPRecipientsRefused,
)


class PortalTask(Task):
    autoretry_for = (Exception,)
    dont_autoretry_for = PERMANENT_ERRORS
    retry_backoff = RETRY_BACKOFF_SECONDS
    retry_backoff_max = RETRY_BACKOFF_MAX_SECONDS
    retry_jitter = True
    max_retries = MAX_RETRIES

    def __call__(self, *args, **kwargs):
        run, row = queue.claim(self.request.id)
        if not run:
            logger.info(
                "%s[%s]: finished already or held by a live worker; skipped", self.name, self.request.id
            )
            return None
        token = queue.triggered_by.set(row.triggered_by_id if row else queue.triggered_by.get())
        try:
            with pghistory.context(actor=f"task:{self.name}", task_id=self.request.id):
                result = super().__call__(*args, **kwargs)
        except Retry as retry:
            if row is not None:
                queue.retry_later(row, delay_seconds=_seconds_until(retry.when), error=_describe(retry.exc))
            raise
        except (Ignore, Reject):
            raise
        except Exception as error:
            self._record_failure(row, args, kwargs, error)
            raise
        finally:
            queue.triggered_by.reset(token)
        if row is not None:
            queue.finished(row)
        return result

    def _record_failure(self, row, args, kwargs, error: Exception) -> None:
        try:
            queue.failed(row, task_name=self.name, args=args, kwargs=kwargs, error=_describe(error))
        except DatabaseError:
            # The database is what failed; the relay re-sends the row once its lease runs out.
            logger.exception("Could not record the failure of %s[%s]", self.name, self.request.id)


def _describe(error) -> str:
    if error is None:
        return ""
    return f"{type(error).__name__}: {error}"


def _seconds_until(when) -> float:
    if isinstance(when, dt.datetime):
        return max(0.0, (when - dt.datetime.now(tz=when.tzinfo or dt.UTC)).total_seconds())
    return float(when or 0)
