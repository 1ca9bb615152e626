"""The minutes' decisions (the summary and next steps live on the meeting)."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.utils import timezone

from .meetings import Meeting, MinutesLocked


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    summary = models.TextField("decision")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        triggers = [
            pgtrigger.Protect(name="decision_no_delete", operation=pgtrigger.Delete),
            MinutesLocked(name="decision_locked", operation=pgtrigger.Insert | pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return self.summary[:80]

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url() + "#minutes"
