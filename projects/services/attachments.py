"""Writes for the files attached to a draft update."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from portal.core import clock
from portal.core.audit import audited
from portal.core.uploads import clean_filename

from ..attachments import check_upload
from ..models import (
    StatusUpdate,
    UpdateAttachment,
)
from ..selectors import ProjectAccess
from ._checks import require_same_project
from .updates import _locked_draft, _require_author


def attachment_add(*, access: ProjectAccess, update: StatusUpdate, upload: UploadedFile) -> UpdateAttachment:
    """Attach a file to a draft after checking its size, its name and its content."""
    _require_author(access)
    require_same_project(access, update.project_id)
    file_type = check_upload(upload)
    name = clean_filename(upload.name)
    upload.name = name
    with transaction.atomic(), audited(f"File “{name}” attached"):
        current = _locked_draft(update, None)
        return UpdateAttachment.objects.create(
            update=current,
            file=upload,
            original_name=name,
            size_bytes=upload.size,
            file_type=file_type,
            uploaded_by=access.user,
            uploaded_at=clock.now(),
        )


def attachment_remove(*, access: ProjectAccess, attachment: UpdateAttachment) -> UpdateAttachment:
    """Take a file off a draft (the row is kept). Published attachments are part of the record."""
    _require_author(access)
    require_same_project(access, attachment.update.project_id)
    with transaction.atomic(), audited(f"File “{attachment.original_name}” removed from the draft"):
        _locked_draft(attachment.update, None)
        if attachment.removed_at is None:
            attachment.removed_at = clock.now()
            attachment.save(update_fields=["removed_at"])
    return attachment
