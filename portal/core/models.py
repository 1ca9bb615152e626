"""Models the whole portal shares."""

import pghistory.models
import pgtrigger
from django.db import models
from django.utils import timezone


class PendingTask(models.Model):
    """Background work that could not be queued because the broker (Redis) was down.

    `portal.core.queue.enqueue_on_commit` writes a row instead of losing the work; the
    `core.send_pending_tasks` beat task queues the rows again once the broker answers. Every
    task queued this way is idempotent (it re-reads its rows, and notify() dedupes), so a row
    sent twice after a crash does no harm.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=500, blank=True, help_text="Why it could not be queued.")
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it reached the broker.")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(queued_at__isnull=True),
                name="pendingtask_waiting_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)!r}"


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
