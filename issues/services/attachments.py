"""Files attached to a service issue."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from portal.core.uploads import clean_filename
from projects.selectors import ProjectAccess

from ..attachments import MAX_FILES_PER_UPLOAD, check_upload
from ..models import EventKind, ServiceIssue, ServiceIssueAttachment
from .common import _check_access, _record


def _add_files(*, issue: ServiceIssue, user: User, files, now: dt.datetime) -> list[ServiceIssueAttachment]:
    files = list(files or [])
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ServiceError(f"Attach at most {MAX_FILES_PER_UPLOAD} files at a time.")
    attachments = []
    for upload in files:
        content_type = check_upload(upload)  # forms check first; this is the last door
        attachment = ServiceIssueAttachment(
            issue=issue,
            token=secrets.token_hex(16),
            original_name=clean_filename(upload.name),
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
            uploaded_at=now,
        )
        attachment.file.save(attachment.token, upload, save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


def issue_add_attachments(
    *, access: ProjectAccess, issue: ServiceIssue, files, now: dt.datetime | None = None
) -> list[ServiceIssueAttachment]:
    """Attach files to an issue (either side, any status); one timeline entry for the batch."""
    _check_access(access, issue)
    if not files:
        raise ServiceError("Choose at least one file.")
    now = now or clock.now()
    with transaction.atomic(), audited("Attachment added to a service issue"):
        attachments = _add_files(issue=issue, user=access.user, files=files, now=now)
        names = ", ".join(a.original_name for a in attachments)
        _record(
            issue=issue,
            kind=EventKind.ATTACHMENT_ADDED,
            actor=access.user,
            summary=f"Attached {names}",
            now=now,
            data={"attachment_ids": [a.pk for a in attachments]},
            notify=False,
        )
    return attachments
