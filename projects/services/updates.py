"""Writes for structured status updates: drafts, publishing, corrections, acknowledgements."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.events import emit
from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed

from .. import permissions, tasks
from ..models import (
    RAG_FIELDS,
    Project,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateStatus,
    item_options,
    json_date,
)
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project
from .decisions import _raise_decisions, option_problem

UPDATE_DRAFT_FIELDS = (
    "title",
    "period_start",
    "period_end",
    *RAG_FIELDS,
    "summary",
    "progress",
    "next_steps",
    "risks",
    "decisions_needed",
    "correction_reason",
)
RECORD_MESSAGE = (
    "This update is published: it is a record and cannot be edited. "
    "To fix it, publish a correction (a new revision that shows what changed)."
)


class UpdateNotReady(ServiceError):
    """Publishing refused: `problems` maps each field to what is missing."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("This update is not ready to publish: " + " ".join(problems.values()))


def _require_author(access: ProjectAccess) -> None:
    _require(
        permissions.can_author_updates(access),
        "Only the CDMO project manager or a CDMO admin writes and publishes status updates.",
    )


def _locked_draft(update: StatusUpdate, version: int | None, *, editor: User | None = None) -> StatusUpdate:
    current = StatusUpdate.objects.select_for_update().get(pk=update.pk)
    if current.status != UpdateStatus.DRAFT:
        raise ServiceError(RECORD_MESSAGE if current.is_record else "This draft was discarded.")
    # A save that races the same person's own autosave is not a conflict: the
    # explicit save carries everything the autosave did. Another person's save is.
    own_save = editor is not None and current.last_saved_by_id == editor.pk
    if version is not None and current.version != version and not own_save:
        raise ConcurrentEditError(
            "Someone else saved this draft after you opened it. Your latest changes were not saved: "
            "reload the draft to see theirs, then make your changes again."
        )
    return current


def _local_today(project: Project) -> datetime.date:
    return clock.localdate()


def update_start(*, access: ProjectAccess) -> StatusUpdate:
    """The project's draft for the next period: the existing one, or a new one.

    The period follows the last published update and runs to today (a first
    update covers one cadence). Statuses and risks carry over from the last
    update for the project manager to review; nothing else does.
    """
    _require_author(access)
    project = access.project
    existing = StatusUpdate.objects.filter(
        project=project, status=UpdateStatus.DRAFT, revision_of__isnull=True
    ).first()
    if existing:
        return existing
    today = _local_today(project)
    last = (
        StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
        .order_by("-period_end", "-published_at")
        .first()
    )
    if last is not None:
        period_start = last.period_end + datetime.timedelta(days=1)
    else:
        period_start = max(
            project.start_date, today - datetime.timedelta(days=project.update_cadence_days - 1)
        )
    period_start = min(period_start, today)
    carried = {name: getattr(last, name) for name in RAG_FIELDS} if last else {}
    try:
        with transaction.atomic(), audited("Status update drafted"):
            return StatusUpdate.objects.create(
                project=project,
                period_start=period_start,
                period_end=max(today, period_start),
                risks=last.risks if last else "",
                created_by=access.user,
                created_at=(now := clock.now()),
                updated_at=now,
                **carried,
            )
    except IntegrityError:
        # Another tab or colleague started the draft a moment ago: use theirs.
        return StatusUpdate.objects.get(project=project, status=UpdateStatus.DRAFT, revision_of__isnull=True)


def update_save_draft(
    *, access: ProjectAccess, update: StatusUpdate, version: int, **content: Any
) -> StatusUpdate:
    """Save a draft's content if nobody else saved it since `version` was read (autosave and explicit save).

    ConcurrentEditError when another person saved in between. A published
    update is refused with a clear message (and the database refuses it too).
    """
    _require_author(access)
    require_same_project(access, update.project_id)
    unknown = set(content) - set(UPDATE_DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown update fields: {sorted(unknown)}")
    start, end = (
        content.get("period_start", update.period_start),
        content.get("period_end", update.period_end),
    )
    if start and end and end < start:
        raise ServiceError("The period must end on or after the day it starts.")
    with transaction.atomic():
        current = _locked_draft(update, version, editor=access.user)
        for name, value in content.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_at = clock.now()
        current.last_saved_by = access.user
        current.save()
    return current


def publish_problems(update: StatusUpdate) -> dict[str, str]:
    """What a draft still lacks before it can be published, by field (empty when ready)."""
    problems: dict[str, str] = {}
    if not update.title.strip():
        problems["title"] = "Write a one-line headline."
    for name in RAG_FIELDS:
        if not getattr(update, name):
            label = str(StatusUpdate._meta.get_field(name).verbose_name)
            label = label if label.endswith("status") else f"{label} status"
            problems[name] = f"Set the {label} (red, amber or green)."
    if not update.summary.strip():
        problems["summary"] = "Write a summary."
    if not update.progress.strip():
        problems["progress"] = "Say what progressed since the last update."
    for step in update.next_steps or []:
        if not (step.get("description") or "").strip() or not json_date(step.get("due")):
            problems["next_steps"] = "Every next step needs a description and a date."
    today = clock.localdate()
    for item in update.decisions_needed or []:
        needed_by = json_date(item.get("needed_by"))
        if not (item.get("title") or "").strip() or needed_by is None:
            problems["decisions_needed"] = "Every decision needs a description and a needed-by date."
        elif needed_by < today and not item.get("source_decision"):
            problems["decisions_needed"] = "A decision's needed-by date cannot be in the past."
        elif problem := option_problem(item):
            problems["decisions_needed"] = problem
    if update.is_correction and not update.correction_reason.strip():
        problems["correction_reason"] = "Say what this correction fixes."
    return problems


def update_publish(
    *, access: ProjectAccess, update: StatusUpdate, version: int | None = None
) -> StatusUpdate:
    """Publish a draft: it becomes a record the sponsor's team is emailed about.

    A correction supersedes the revision it corrects. A new update sets when the
    next one is due (published date + cadence) for the stale-update monitor.
    """
    _require_author(access)
    require_same_project(access, update.project_id)
    correction = update.revision_of_id is not None
    reason = (
        f"Correction published (revision {update.revision_number})"
        if correction
        else "Status update published"
    )
    with transaction.atomic(), audited(reason):
        current = _locked_draft(update, version, editor=access.user)
        problems = publish_problems(current)
        if problems:
            raise UpdateNotReady(problems)
        now = clock.now()
        if correction:
            previous = StatusUpdate.objects.select_for_update().get(pk=current.revision_of_id)
            if previous.status != UpdateStatus.PUBLISHED:
                raise ServiceError(
                    "The revision this corrects was already replaced; start from the latest one."
                )
            previous.status = UpdateStatus.SUPERSEDED
            previous.superseded_at = now
            previous.save(update_fields=["status", "superseded_at"])
        current.decisions_needed = _raise_decisions(current, now)
        current.status = UpdateStatus.PUBLISHED
        current.published_at = now
        current.published_by = access.user
        current.version += 1
        current.updated_at = now
        current.save()
        emit("update.published", project_id=current.project_id, subject=current)
        if not correction:
            project = access.project
            project_data_changed.send(sender=Project, project_id=project.pk)
            Project.objects.filter(pk=project.pk).update(
                last_update_published_at=now,
                next_update_due=timezone.localdate(now)
                + datetime.timedelta(days=project.update_cadence_days),
            )
        enqueue_on_commit(tasks.notify_update_published, current.pk)
    return current


def update_correct(*, access: ProjectAccess, update: StatusUpdate) -> StatusUpdate:
    """Start a correction of a published update: a new draft revision prefilled from it.

    The published update stays as it is until the correction is published.
    """
    _require_author(access)
    require_same_project(access, update.project_id)
    if update.status == UpdateStatus.SUPERSEDED:
        raise ServiceError(
            "A later revision already corrected this update; correct the latest revision instead."
        )
    if update.status != UpdateStatus.PUBLISHED:
        raise ServiceError("Only a published update can be corrected; a draft is simply edited.")
    existing = StatusUpdate.objects.filter(revision_of=update, status=UpdateStatus.DRAFT).first()
    if existing:
        return existing
    content = {name: getattr(update, name) for name in UPDATE_DRAFT_FIELDS if name != "correction_reason"}
    content["decisions_needed"] = [
        {
            "title": item.get("title", ""),
            "needed_by": item.get("needed_by"),
            "source_decision": item.get("decision_id"),
            "options": item_options(item),
            "recommended": item.get("recommended"),
            "recommendation": item.get("recommendation", ""),
        }
        for item in update.decisions_needed or []
    ]
    try:
        with transaction.atomic(), audited(f"Correction of “{update.title}” started"):
            correction = StatusUpdate.objects.create(
                project=update.project,
                revision_of=update,
                original_id=update.root_id,
                revision_number=update.revision_number + 1,
                created_by=access.user,
                created_at=(now := clock.now()),
                updated_at=now,
                **content,
            )
            for attachment in update.attachments.filter(removed_at__isnull=True):
                UpdateAttachment.objects.create(
                    update=correction,
                    file=attachment.file.name,
                    original_name=attachment.original_name,
                    size_bytes=attachment.size_bytes,
                    file_type=attachment.file_type,
                    uploaded_by=attachment.uploaded_by,
                    uploaded_at=attachment.uploaded_at,
                )
            return correction
    except IntegrityError:
        return StatusUpdate.objects.get(revision_of=update, status=UpdateStatus.DRAFT)


def update_discard(*, access: ProjectAccess, update: StatusUpdate) -> StatusUpdate:
    """Throw a draft away. It is kept (records are never deleted) but nobody sees it again."""
    _require_author(access)
    require_same_project(access, update.project_id)
    with transaction.atomic(), audited("Draft update discarded"):
        current = _locked_draft(update, None)
        current.status = UpdateStatus.DISCARDED
        current.discarded_at = clock.now()
        current.version += 1
        current.save()
    return current


def update_acknowledge(*, access: ProjectAccess, update: StatusUpdate) -> UpdateAcknowledgement:
    """The sponsor confirms they read the update. Idempotent: a second click returns the first."""
    _require(permissions.can_acknowledge(access), "Only the sponsor's side acknowledges an update.")
    require_same_project(access, update.project_id)
    if update.status != UpdateStatus.PUBLISHED:
        raise ServiceError("Only the current published revision can be acknowledged.")
    existing = UpdateAcknowledgement.objects.filter(update=update, user=access.user).first()
    if existing:
        return existing
    try:
        with transaction.atomic(), audited("Status update acknowledged"):
            return UpdateAcknowledgement.objects.create(
                update=update, user=access.user, acknowledged_at=clock.now()
            )
    except IntegrityError:
        # A double click raced the first one: the first acknowledgement stands.
        return UpdateAcknowledgement.objects.get(update=update, user=access.user)
