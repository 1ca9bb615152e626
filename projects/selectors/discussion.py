"""Reads for the discussion on an update; CDMO-internal notes only for those who read them."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from ..models import (
    CommentKind,
    StatusUpdate,
    UpdateComment,
)
from .project import ProjectAccess
from .updates import _updates_readable_by


def get_comment(*, access: ProjectAccess, comment_id: int) -> UpdateComment:
    """One comment, question or answer on an update the viewer may read; CDMO-internal notes
    only for those who read them (404 otherwise), as on the update's page."""
    comments = UpdateComment.objects.filter(update__in=_updates_readable_by(access))
    if not access.sees_internal:
        comments = comments.filter(is_internal=False)
    return get_object_or_404(comments.select_related("update", "author", "answered_by"), pk=comment_id)


def update_thread(*, access: ProjectAccess, update: StatusUpdate) -> list[UpdateComment]:
    """Comments and questions on every revision of this update, oldest first, answers attached.

    CDMO-internal notes are left out for anyone who may not read them: this is
    the one place the thread is read, so the sponsor never receives one.
    """
    chain = StatusUpdate.objects.filter(Q(pk=update.root_id) | Q(original_id=update.root_id)).values("pk")
    comments = UpdateComment.objects.filter(update__in=chain, parent__isnull=True)
    if not access.sees_internal:
        comments = comments.filter(is_internal=False)
    answers = (
        UpdateComment.objects.filter(kind=CommentKind.ANSWER)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return list(
        comments.select_related("author__organization", "answered_by", "update")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("created_at", "pk")
    )
