"""Recognition: a sponsor's kudos for good service on a project."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from projects.models import Project


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Recognition(models.Model):
    """A sponsor's kudos for a specific piece of good service on a project.

    The target is one of `issues.recognition.RECOGNITION_TARGETS` (an update, an
    answer, a meeting, a resolved service issue) and belongs to `project`.
    """

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="recognitions")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions_received",
        help_text="The person at the CDMO who earned it, if the sponsor named one.",
    )
    note = models.CharField(max_length=500)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField(max_length=200, help_text="What was recognized, as shown when given.")
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["given_by", "target_type", "target_id"], name="recognition_once_per_person_and_target"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="recognition_target_idx")]
        triggers = [pgtrigger.Protect(name="recognition_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Recognition from {self.given_by} on {self.project.code}"

    def get_absolute_url(self) -> str:
        return (
            reverse("issues:project_issues", kwargs={"project_id": self.project_id})
            + f"#recognition-{self.pk}"
        )
