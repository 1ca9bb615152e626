"""Reads for status updates. Every read starts from a project the caller may see; drafts only for those who may read them."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..diffing import FieldDiff, update_changes
from ..models import (
    CommentKind,
    Project,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
)
from ..permissions import can_read_drafts
from .attachments import update_attachments
from .project import ProjectAccess


def updates_for_project(*, access: ProjectAccess) -> QuerySet[StatusUpdate]:
    """The Updates tab: current published updates, newest period first; the CDMO also sees drafts, first.

    Superseded revisions are reached from the revision that corrected them.
    Each row carries its acknowledgement, open-question and comment counts
    (internal notes counted only for those who may read them).
    """
    statuses = [UpdateStatus.PUBLISHED]
    if can_read_drafts(access):
        statuses.append(UpdateStatus.DRAFT)
    comments = Q(comments__kind__in=[CommentKind.COMMENT, CommentKind.QUESTION])
    if not access.sees_internal:
        comments &= Q(comments__is_internal=False)
    # Questions count across every revision of the update (the chain shares one root). Two
    # EXISTS, not one with an OR inside: each is an index lookup (comments by update, updates by
    # original), where the OR made PostgreSQL scan every tenant's comments for each row.
    open_questions = UpdateComment.objects.filter(kind=CommentKind.QUESTION, answered_at__isnull=True)
    on_root = open_questions.filter(update_id=OuterRef("chain_root"))
    on_revision = open_questions.filter(update__original_id=OuterRef("chain_root"))
    return (
        StatusUpdate.objects.filter(project=access.project, status__in=statuses)
        .select_related("published_by", "created_by")
        .annotate(
            chain_root=Coalesce("original_id", "pk"),
            draft_first=Case(When(status=UpdateStatus.DRAFT, then=Value(0)), default=Value(1)),
            acknowledgement_count=Count("acknowledgements", distinct=True),
            comment_count=Count("comments", filter=comments, distinct=True),
            has_open_question=ExpressionWrapper(Exists(on_root) | Exists(on_revision), BooleanField()),
        )
        .order_by("draft_first", "-period_end", "-revision_number", "-pk")
    )


def _updates_readable_by(access: ProjectAccess) -> QuerySet[StatusUpdate]:
    updates = StatusUpdate.objects.filter(project=access.project)
    if not can_read_drafts(access):
        updates = updates.visible_record()
    return updates


def get_update(*, access: ProjectAccess, update_id: int) -> StatusUpdate:
    """One update of the project; drafts and discarded drafts exist only for the CDMO (404 otherwise)."""
    return get_object_or_404(
        _updates_readable_by(access).select_related("project", "published_by", "created_by", "revision_of"),
        pk=update_id,
    )


def update_revisions(*, update: StatusUpdate) -> list[StatusUpdate]:
    """Every published revision of this update (oldest first), for the revision trail."""
    return list(
        StatusUpdate.objects.filter(Q(pk=update.root_id) | Q(original_id=update.root_id))
        .visible_record()
        .only("pk", "project_id", "revision_number", "status", "published_at", "title")
        .order_by("revision_number")
    )


def latest_published_update(*, project: Project) -> StatusUpdate | None:
    """The same update as the overview's `LATEST_UPDATE` picks (same order), with only the header's columns."""
    return (
        StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
        .order_by("-period_end", "-published_at", "-pk")
        .only("pk", "project_id", "overall_rag", "title", "published_at", "period_end")
        .first()
    )


def last_published_update(*, project: Project) -> StatusUpdate | None:
    """The most recent current update (for prefilling the next draft and its reference panel)."""
    return (
        StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
        .order_by("-period_end", "-published_at")
        .first()
    )


def correction_changes(
    *, update: StatusUpdate, attachments: list[UpdateAttachment] | None = None
) -> list[FieldDiff]:
    """What a correction changed against the revision it replaces (nothing for a first update).
    `attachments`: the update's own, when the caller has them loaded already."""
    if not update.revision_of_id:
        return []
    previous = update.revision_of
    if attachments is None:
        attachments = update_attachments(update=update)
    return update_changes(
        previous,
        update,
        old_files=[a.original_name for a in update_attachments(update=previous)],
        new_files=[a.original_name for a in attachments],
    )


def update_acknowledgements(*, update: StatusUpdate) -> list[UpdateAcknowledgement]:
    return list(update.acknowledgements.select_related("user").order_by("acknowledged_at"))


def correction_draft_of(*, update: StatusUpdate) -> StatusUpdate | None:
    """The correction of `update` being drafted, if any (CDMO side only shows it)."""
    return StatusUpdate.objects.filter(revision_of=update, status=UpdateStatus.DRAFT).first()
