"""Files attached to a status update."""

import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.core.triggers import any_changed

from .updates import StatusUpdate


class AttachmentType(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel workbook"
    PPTX = "pptx", "PowerPoint presentation"
    DOC = "doc", "Word 97–2003 document"
    XLS = "xls", "Excel 97–2003 workbook"
    PPT = "ppt", "PowerPoint 97–2003 presentation"


def attachment_upload_to(instance: "UpdateAttachment", filename: str) -> str:
    # A random folder per file: names never collide and are never guessable.
    return f"updates/{instance.update.project_id}/{uuid.uuid4().hex}/{filename}"


class AttachmentFrozenWhenPublished(pgtrigger.Trigger):
    """Attachments of a published update cannot be added or removed."""

    when = pgtrigger.Before
    operation = pgtrigger.Insert | pgtrigger.Update
    func = pgtrigger.Func(
        """
        IF (TG_OP = 'INSERT' OR OLD.removed_at IS DISTINCT FROM NEW.removed_at)
           AND EXISTS (SELECT 1 FROM projects_statusupdate u WHERE u.id = NEW.update_id AND u.status <> 'draft')
        THEN
            RAISE EXCEPTION 'The attachments of a published update are part of the record and cannot change.';
        END IF;
        RETURN NEW;
        """
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class UpdateAttachment(models.Model):
    """A file attached to a status update (PDF, image or office document)."""

    update = models.ForeignKey(StatusUpdate, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveIntegerField()
    file_type = models.CharField(max_length=5, choices=AttachmentType.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="Taken off a draft before publishing.")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        triggers = [
            pgtrigger.Protect(name="attachment_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="attachment_file_is_immutable",
                operation=pgtrigger.Update,
                condition=any_changed(
                    "update", "file", "original_name", "size_bytes", "file_type", "uploaded_by", "uploaded_at"
                ),
            ),
            AttachmentFrozenWhenPublished(name="attachment_frozen_when_published"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:attachment",
            kwargs={
                "project_id": self.update.project_id,
                "statusupdate_id": self.update_id,
                "updateattachment_id": self.pk,
            },
        )
