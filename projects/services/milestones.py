"""Writes for milestones. One function per change."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.queue import enqueue_on_commit

from .. import permissions, tasks
from ..models import (
    OPEN_MILESTONE_STATUSES,
    Milestone,
    MilestoneBaseline,
    MilestoneForecastChange,
    MilestoneStatus,
    Project,
    ProjectMember,
)
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project

MILESTONE_EDITABLE_FIELDS = ("kind", "title", "owner", "notes")


def _check_owner(project: Project, owner: User | None) -> None:
    if (
        owner is not None
        and not ProjectMember.objects.filter(project=project, user=owner, removed_at__isnull=True).exists()
    ):
        raise ServiceError(f"{owner} is not on this project's team; choose a team member as owner.")


def _locked_milestone(milestone: Milestone, version: int) -> Milestone:
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if current.version != version:
        raise ConcurrentEditError(
            f"Someone else changed “{current.title}” while you were editing it. "
            "Your change was not saved; review the latest version and try again."
        )
    return current


def milestone_create(
    *,
    access: ProjectAccess,
    kind: str,
    title: str,
    baseline_date: datetime.date,
    owner: User | None = None,
    notes: str = "",
) -> Milestone:
    """A new milestone. Its forecast starts at the baseline; moving it later needs a reason, and
    moving the baseline an approved change request."""
    _require(
        permissions.can_edit_milestones(access),
        "Only the CDMO project manager or a CDMO admin edits milestones.",
    )
    title = (title or "").strip()
    if not title:
        raise ServiceError("Give the milestone a title.")
    _check_owner(access.project, owner)
    now = clock.now()
    with transaction.atomic(), audited(f"Milestone “{title}” added"):
        milestone = Milestone.objects.create(
            project=access.project,
            kind=kind,
            title=title,
            owner=owner,
            baseline_date=baseline_date,
            forecast_date=baseline_date,
            notes=notes,
            created_at=now,
        )
        # The first baseline; later ones come only from approved change requests (services/changes.py).
        MilestoneBaseline.objects.create(milestone=milestone, baseline_date=baseline_date, set_at=now)
        return milestone


def milestone_update(
    *, access: ProjectAccess, milestone: Milestone, version: int, **changes: Any
) -> Milestone:
    """Edit what a milestone is (kind, title, owner, notes). Dates and status have their own services."""
    _require(
        permissions.can_edit_milestones(access),
        "Only the CDMO project manager or a CDMO admin edits milestones.",
    )
    require_same_project(access, milestone.project_id)
    if "baseline_date" in changes:
        raise ServiceError("The baseline moves only with an approved change request.")
    unknown = set(changes) - set(MILESTONE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown milestone fields: {sorted(unknown)}")
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
        if not changes["title"]:
            raise ServiceError("Give the milestone a title.")
    if "owner" in changes:
        _check_owner(access.project, changes["owner"])
    with transaction.atomic(), audited(f"Milestone “{milestone.title}” edited"):
        current = _locked_milestone(milestone, version)
        for name, value in changes.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
    return current


def milestone_set_status(
    *,
    access: ProjectAccess,
    milestone: Milestone,
    status: str,
    version: int,
    actual_date: datetime.date | None = None,
) -> Milestone:
    """Set a milestone's status. Done needs the actual date (not in the future); any other status clears it."""
    _require(
        permissions.can_edit_milestones(access),
        "Only the CDMO project manager or a CDMO admin edits milestones.",
    )
    require_same_project(access, milestone.project_id)
    if status not in MilestoneStatus.values:
        raise ServiceError("Choose a valid status.")
    if status == MilestoneStatus.DONE:
        if actual_date is None:
            raise ServiceError("Give the date the milestone was actually done.")
        if actual_date > clock.localdate():
            raise ServiceError("The actual date cannot be in the future.")
    else:
        actual_date = None
    label = MilestoneStatus(status).label.lower()
    with transaction.atomic(), audited(f"Milestone “{milestone.title}” marked {label}"):
        current = _locked_milestone(milestone, version)
        current.status = status
        current.actual_date = actual_date
        current.version += 1
        current.save()
    return current


def milestone_change_forecast(
    *,
    access: ProjectAccess,
    milestone: Milestone,
    new_date: datetime.date,
    reason: str,
    version: int,
) -> MilestoneForecastChange:
    """Move a milestone's forecast date: the one door for it.

    Refuses an empty reason. Records the move (old date, new date, reason, who,
    when) as an append-only row and in the audit trail, and tells the sponsor's
    team by email: no surprises.
    """
    _require(
        permissions.can_edit_milestones(access),
        "Only the CDMO project manager or a CDMO admin edits milestones.",
    )
    require_same_project(access, milestone.project_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "Give the reason for moving the forecast: the sponsor is told and it stays on record."
        )
    if new_date is None:
        raise ServiceError("Choose the new forecast date.")
    with transaction.atomic(), audited(f"Forecast moved: {reason}"):
        current = _locked_milestone(milestone, version)
        if not current.is_open:
            raise ServiceError(
                f"“{current.title}” is {current.get_status_display().lower()}; its forecast no longer moves."
            )
        if current.forecast_date == new_date:
            raise ServiceError(f"The forecast is already {new_date:%-d %b %Y}.")
        change = MilestoneForecastChange.objects.create(
            milestone=current,
            old_forecast_date=current.forecast_date,
            new_forecast_date=new_date,
            reason=reason,
            changed_by=access.user,
            changed_at=clock.now(),
        )
        current.forecast_date = new_date
        current.version += 1
        current.save()
        enqueue_on_commit(tasks.notify_forecast_changed, change.pk)
    milestone.forecast_date, milestone.version = current.forecast_date, current.version
    return change


def milestone_edit(
    *,
    access: ProjectAccess,
    milestone: Milestone,
    version: int,
    status: str,
    forecast_date: datetime.date,
    actual_date: datetime.date | None = None,
    reason: str = "",
    details: dict | None = None,
) -> Milestone:
    """Apply an edit from the table row or the milestone page, all or nothing.

    `version` is what the editor saw: if anyone saved since, nothing is written
    (ConcurrentEditError). Only what changed is written, each part through its
    own service, so a forecast move always carries its reason and tells the sponsor.
    """
    _require(
        permissions.can_edit_milestones(access),
        "Only the CDMO project manager or a CDMO admin edits milestones.",
    )
    require_same_project(access, milestone.project_id)
    with transaction.atomic():
        current = _locked_milestone(milestone, version)
        if details and any(getattr(current, k) != v for k, v in details.items()):
            current = milestone_update(access=access, milestone=current, version=current.version, **details)
        # Reopen before moving the forecast (a closed milestone's forecast does not move); close after.
        reopening = status in OPEN_MILESTONE_STATUSES and not current.is_open

        def apply_status(current: Milestone) -> Milestone:
            if status != current.status or (actual_date or None) != current.actual_date:
                return milestone_set_status(
                    access=access,
                    milestone=current,
                    status=status,
                    actual_date=actual_date,
                    version=current.version,
                )
            return current

        if reopening:
            current = apply_status(current)
        if forecast_date != current.forecast_date:
            milestone_change_forecast(
                access=access,
                milestone=current,
                new_date=forecast_date,
                reason=reason,
                version=current.version,
            )
        if not reopening:
            current = apply_status(current)
    return Milestone.objects.with_slip().select_related("owner").get(pk=milestone.pk)
