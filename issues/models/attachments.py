"""Files attached to a service issue."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .log import ServiceIssue


def attachment_path(instance: ServiceIssueAttachment, filename: str) -> str:
    # The stored name is ours; the person's file name is kept in `original_name`.
    return f"issues/{timezone.now():%Y/%m}/{instance.token}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ServiceIssueAttachment(models.Model):
    """A file attached to an issue; served only through a permission-checked view."""

    issue = models.ForeignKey(ServiceIssue, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField("file name", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(help_text="Bytes.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "service-issue attachment"
        triggers = [pgtrigger.Protect(name="issueattachment_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "issues:attachment",
            kwargs={
                "project_id": self.issue.project_id,
                "serviceissue_id": self.issue_id,
                "serviceissueattachment_id": self.pk,
            },
        )
