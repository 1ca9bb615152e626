"""A document someone asked for and a worker builds: a PDF of the dashboard, and later others.

The request writes the row (queued) and the build's outbox row in one transaction; the worker
claims it (running), reports its progress, stores the file and marks it ready, or failed with a
message for the person. Rows are never deleted: they are the record of who exported what.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


UNFINISHED = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)


def document_path(document: "Document", filename: str) -> str:
    return f"documents/{document.created_at:%Y/%m}/{document.pk}/{filename}"


class Document(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=64, help_text="A kind registered with register_document_kind().")
    title = models.CharField(max_length=200)
    parameters = models.JSONField(
        default=dict, blank=True, help_text="What the builder needs: filters, order."
    )
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    stage = models.CharField(max_length=100, blank=True, help_text="What the worker is doing now, in words.")
    attempts = models.PositiveIntegerField(
        default=0, help_text="Claims by a worker; the last one may finish."
    )
    file = models.FileField(upload_to=document_path, max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    note = models.CharField(
        max_length=500, blank=True, help_text="What the reader should know, e.g. a limit."
    )
    link_url = models.CharField(max_length=2000, blank=True, help_text="Where the rest is, e.g. the CSV.")
    link_label = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=1000, blank=True, help_text="Why it failed, in words for the person.")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True, help_text="The worker's last sign of life.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A second click while the first is on its way gets the first (see services.request_document).
            models.UniqueConstraint(
                fields=["requested_by", "kind", "parameters"],
                condition=models.Q(status__in=["queued", "running"]),
                name="document_one_unfinished_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="document_done_le_total"
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="document_requester_idx")]
        triggers = [pgtrigger.Protect(name="document_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", kwargs={"document_id": self.pk})

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY

    @property
    def is_failed(self) -> bool:
        return self.status == DocumentStatus.FAILED

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0
