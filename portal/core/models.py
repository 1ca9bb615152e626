"""Models the whole portal shares."""

import pghistory.models
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class OutboxTask(models.Model):
    """One piece of background work, written in the same transaction as the change that asked
    for it (the transactional outbox; `portal.core.queue` describes the whole life cycle).

    A rollback drops the row with the change; a commit keeps it until a worker has done the work.
    Redis only carries a copy of the row (the task id names it), so a lost message, a flushed
    Redis or a killed worker delays the work but never loses it: the relay sends it again once
    the lease runs out.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who was signed in when the work was asked for; told if it fails.",
    )
    lease_until = models.DateTimeField(
        default=timezone.now, help_text="Not done by then: the relay sends it to the broker again."
    )
    sends = models.PositiveIntegerField(default=0, help_text="Times it was handed to the broker.")
    runs = models.PositiveIntegerField(default=0, help_text="Times a worker started it.")
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Last time it reached the broker.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The last error: why it failed or was retried.")

    class Meta:
        verbose_name = "background task"
        verbose_name_plural = "background work"
        ordering = ["created_at", "pk"]
        indexes = [
            # The relay only scans what is not finished, by lease.
            models.Index(
                fields=["lease_until"],
                condition=models.Q(status__in=["pending", "running"]),
                name="outbox_unfinished_idx",
            ),
            models.Index(fields=["status", "created_at"], name="outbox_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)!r}"

    @property
    def celery_task_id(self) -> str:
        return task_id_for(self.pk)


TASK_ID_PREFIX = "outbox-"


def task_id_for(pk: int) -> str:
    """The Celery task id of an outbox row's message: a worker finds the row by it."""
    return f"{TASK_ID_PREFIX}{pk}"


def outbox_pk_from(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(TASK_ID_PREFIX):
        try:
            return int(task_id[len(TASK_ID_PREFIX) :])
        except ValueError:
            return None
    return None


class BeatClaim(models.Model):
    """The last schedule slot of a periodic task that a beat process sent.

    Two beat processes started by mistake both find the task due; the one whose upsert moves
    `slot` forward sends it, the other skips it (`portal.core.beat`).
    """

    name = models.CharField(max_length=200, unique=True)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M:%S}"


class AuditContext(pghistory.models.Context):
    """pghistory's context rows (who, URL, reason, task of every event), append-only.

    pghistory upserts a context row when its metadata changes within one context (someone signs
    in halfway through a request); `portal.core.database.ATTACH_CONTEXT_SQL` replaces that upsert
    with a new row, so an existing row never needs to change and the database refuses it.
    """

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Protect(name="context_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]
