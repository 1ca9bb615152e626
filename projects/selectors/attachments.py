"""Reads for the files attached to an update."""

from __future__ import annotations

from ..models import (
    StatusUpdate,
    UpdateAttachment,
)


def update_attachments(*, update: StatusUpdate) -> list[UpdateAttachment]:
    return list(update.attachments.filter(removed_at__isnull=True).select_related("uploaded_by"))
