"""The agenda: the points to discuss, in order, each with a presenter and minutes allotted."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from .meetings import Meeting


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_allotted = models.PositiveSmallIntegerField(
        "minutes allotted", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_allotted__isnull=True) | models.Q(minutes_allotted__gte=1),
                name="agenda_item_minutes_positive",
            )
        ]
        triggers = [pgtrigger.Protect(name="agenda_item_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "meetings:agenda", kwargs={"project_id": self.meeting.project_id, "meeting_id": self.meeting_id}
        )
