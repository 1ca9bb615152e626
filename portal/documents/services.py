"""Writes: ask for a document, build it in the worker, hand it over.

- `request_document` writes the row and the build's outbox row in the caller's transaction; a
  second click while the first is on its way returns the first (one build).
- `build_document` (the task) claims the row by compare-and-set (queued, or running with no sign
  of life for DOCUMENT_STALE_SECONDS), calls the kind's builder with a progress reporter, stores
  the file and marks it ready, then tells the requester (bell and email, once). A ready document
  is never built again; a second run only makes sure the requester was told.
- A build that cannot succeed is marked failed with a message for the person; "Try again"
  (`retry_document`) asks for a new document with the same parameters: the failure stays on record.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal.core import clock
from portal.core.queue import enqueue_on_commit
from portal.core.task_base import PERMANENT_ERRORS, PermanentTaskError
from portal.core.timezones import zone_or_utc
from portal.notifications.services import notify

from .models import UNFINISHED, Document, DocumentStatus
from .registry import Built, kind_of

logger = logging.getLogger(__name__)

BUILD = "documents.build"  # the task (tasks.py), queued by name
UNEXPECTED = "Something went wrong while building it. Try again; if it fails again, the portal's staff can see what happened."


def request_document(*, user, kind: str, parameters: dict) -> Document:
    """A document of `kind` for `user`, queued for a worker (or the same request already queued)."""
    spec = kind_of(kind)
    same = {"requested_by": user, "kind": kind, "parameters": parameters}
    with transaction.atomic():
        existing = Document.objects.filter(**same, status__in=UNFINISHED).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    **same, organization_id=user.organization_id, title=spec.title, created_at=clock.now()
                )
        except IntegrityError:  # the same click, committed a moment ago by another request
            return Document.objects.get(**same, status__in=UNFINISHED)
        enqueue_on_commit(BUILD, document.pk)
    return document


def retry_document(*, user, document: Document) -> Document:
    """After a failure: the same document asked for again (a new row; the failed one stays)."""
    if not document.is_failed:
        return document
    return request_document(user=user, kind=document.kind, parameters=document.parameters)


def build_document(*, document_id: int, last_attempt: bool = True) -> str:
    """Build one document (the worker's side). Returns what happened, for the task's result."""
    document = _claim(document_id)
    if document is None:
        document = Document.objects.select_related("requested_by").filter(pk=document_id).first()
        if document is not None and document.is_ready:
            _tell_ready(document)  # idempotent: makes sure a run that died after "ready" told them
            return "ready already"
        return "skipped"
    attempt = document.attempts
    try:
        spec = kind_of(document.kind)
        with timezone.override(zone_or_utc(document.requested_by.time_zone)):
            built = spec.builder(document, _reporter(document, attempt))
    except Exception as error:
        if last_attempt or isinstance(error, PERMANENT_ERRORS):
            message = str(error) if isinstance(error, PermanentTaskError) else UNEXPECTED
            _mine(document, attempt).update(
                status=DocumentStatus.FAILED, error=message[:1000], finished_at=clock.now()
            )
        else:  # back in the queue for the retry on its way
            _mine(document, attempt).update(status=DocumentStatus.QUEUED)
        raise
    if not _finish(document, attempt, built):
        return "superseded"
    _tell_ready(document)
    return "ready"


def _mine(document: Document, attempt: int):
    """The row, as long as this worker's claim is still the last one."""
    return Document.objects.filter(pk=document.pk, attempts=attempt, status=DocumentStatus.RUNNING)


def _claim(document_id: int) -> Document | None:
    now = clock.now()
    stale = now - dt.timedelta(seconds=getattr(settings, "DOCUMENT_STALE_SECONDS", 600))
    claimed = (
        Document.objects.filter(pk=document_id)
        .filter(Q(status=DocumentStatus.QUEUED) | Q(status=DocumentStatus.RUNNING, progress_at__lt=stale))
        .update(
            status=DocumentStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, progress_at=now, done=0
        )
    )
    if not claimed:
        return None  # ready, failed, or a live worker is on it
    return Document.objects.select_related("requested_by", "organization").get(pk=document_id)


def _reporter(document: Document, attempt: int):
    def progress(done: int, total: int, stage: str = "") -> None:
        total = max(total, 0)
        _mine(document, attempt).update(
            done=min(max(done, 0), total), total=total, stage=stage[:100], progress_at=clock.now()
        )

    return progress


def _finish(document: Document, attempt: int, built: Built) -> bool:
    document.file.save(built.filename, ContentFile(built.content), save=False)
    finished = _mine(document, attempt).update(
        status=DocumentStatus.READY,
        file=document.file.name,
        filename=built.filename[:200],
        content_type=built.content_type,
        note=built.note[:500],
        link_url=built.link_url,
        link_label=built.link_label,
        done=F("total"),
        stage="",
        finished_at=clock.now(),
    )
    if not finished:  # another worker took it over meanwhile; its file is the one kept
        document.file.storage.delete(document.file.name)
        return False
    document.refresh_from_db()
    return True


def _tell_ready(document: Document) -> None:
    page = document.get_absolute_url()
    download = reverse("documents:download", kwargs={"document_id": document.pk})
    notify(
        recipients=[document.requested_by],
        kind="document.ready",
        dedupe_key=f"document.ready:document-{document.pk}",
        title=f"Your {document.title} is ready",
        body=document.note or "It is ready to download.",
        url=page,
        email_template="document-ready",
        email_context={"document": document, "download_url": f"{settings.SITE_URL}{download}"},
        # They asked for it a moment ago and the page promised an email: not for a digest.
        always_email=True,
    )
