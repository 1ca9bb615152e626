"""Action items agreed at a meeting: they outlive the minutes' lock until their owner marks them done."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Project

from .meetings import Meeting, MinutesLocked


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ActionItem(models.Model):
    """Something someone agreed to do at a meeting. Lives on after the minutes lock:
    its owner marks it done; what was agreed (title, owner, due date) stays as minuted."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("action", max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="done") & models.Q(completed_at__isnull=False))
                | (models.Q(status="open") & models.Q(completed_at__isnull=True)),
                name="action_item_done_has_completed_at",
            ),
        ]
        indexes = [
            # Overdue action items: status=open and due_date < today.
            models.Index(fields=["status", "due_date"], name="action_item_status_due_idx"),
            models.Index(fields=["owner", "status", "due_date"], name="action_item_owner_idx"),
            models.Index(fields=["project", "status"], name="action_item_project_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="action_item_no_delete", operation=pgtrigger.Delete),
            MinutesLocked(
                name="action_item_locked",
                operation=pgtrigger.Insert | pgtrigger.Update,
                guarded=("title", "owner_id", "due_date", "removed_at", "meeting_id", "project_id"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url() + f"#action-{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.status == ActionItemStatus.DONE

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == ActionItemStatus.OPEN and self.due_date < today
