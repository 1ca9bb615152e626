"""Writes for the discussion on an update: comments, questions and answers."""

from __future__ import annotations

from django.db import transaction

from portal.core import clock
from portal.core.audit import audited
from portal.core.business_time import BusinessCalendar
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed

from .. import permissions, tasks
from ..models import (
    CommentKind,
    StatusUpdate,
    UpdateComment,
    UpdateStatus,
)
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project


def comment_post(
    *,
    access: ProjectAccess,
    update: StatusUpdate,
    body: str,
    kind: str = CommentKind.COMMENT,
    is_internal: bool = False,
) -> UpdateComment:
    """Comment on, or ask a question about, a published update.

    A sponsor question gets `respond_by`: the project's agreed response time in
    the CDMO site's business days. Internal notes are CDMO-only.
    """
    _require(permissions.can_comment(access), "You cannot comment on this update.")
    require_same_project(access, update.project_id)
    body = (body or "").strip()
    if not body:
        raise ServiceError("Write something first.")
    if kind not in (CommentKind.COMMENT, CommentKind.QUESTION):
        raise ServiceError("Choose a comment or a question.")
    if kind == CommentKind.QUESTION:
        _require(permissions.can_ask_question(access), "Questions with a response clock are the sponsor's.")
    if is_internal:
        _require(permissions.can_post_internal(access), "Only the CDMO team writes internal notes.")
        if kind != CommentKind.COMMENT:
            raise ServiceError("An internal note is a comment, not a question.")
    if update.status != UpdateStatus.PUBLISHED:
        raise ServiceError("Discussion happens on the current published revision of an update.")
    now = clock.now()
    respond_by = None
    if kind == CommentKind.QUESTION:
        calendar = BusinessCalendar.for_organization(access.project.cdmo)
        respond_by = calendar.add_business_days(now, access.project.question_response_days)
    label = "Internal note" if is_internal else CommentKind(kind).label
    with transaction.atomic(), audited(f"{label} posted on a status update"):
        comment = UpdateComment.objects.create(
            update=update,
            author=access.user,
            kind=kind,
            body=body,
            is_internal=is_internal,
            created_at=now,
            respond_by=respond_by,
        )
        if kind == CommentKind.QUESTION:
            enqueue_on_commit(tasks.notify_question_asked, comment.pk)
    return comment


def question_answer(*, access: ProjectAccess, question: UpdateComment, body: str) -> UpdateComment:
    """The CDMO answers a sponsor question. The first answer stops the clock; later ones add detail."""
    _require(permissions.can_answer(access), "The CDMO team answers questions.")
    require_same_project(access, question.update.project_id)
    body = (body or "").strip()
    if not body:
        raise ServiceError("Write the answer first.")
    if question.kind != CommentKind.QUESTION:
        raise ServiceError("Only questions are answered.")
    now = clock.now()
    with transaction.atomic(), audited("Question answered"):
        answer = UpdateComment.objects.create(
            update_id=question.update_id,
            author=access.user,
            kind=CommentKind.ANSWER,
            parent=question,
            body=body,
            created_at=now,
        )
        # Compare-and-set: only the first answer records when the question was answered.
        UpdateComment.objects.filter(pk=question.pk, answered_at__isnull=True).update(
            answered_at=now, answered_by=access.user
        )
        project_data_changed.send(sender=UpdateComment, project_id=access.project.pk)
        enqueue_on_commit(tasks.notify_question_answered, answer.pk)
    question.refresh_from_db(fields=["answered_at", "answered_by"])
    return answer
