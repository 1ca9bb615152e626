"""Writes for projects and their teams. One function per change."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.core.audit import audited
from portal.core.business_time import BusinessCalendar
from portal.core.exceptions import ConcurrentEditError, ConfirmationRequired, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.organizations.models import Organization, OrganizationKind

from . import rules, tasks
from .attachments import check_upload, clean_filename
from .models import (
    OPEN_MILESTONE_STATUSES,
    RAG_FIELDS,
    CommentKind,
    DecisionRequest,
    DecisionStatus,
    Milestone,
    MilestoneForecastChange,
    MilestoneStatus,
    Project,
    ProjectMember,
    Side,
    StatusUpdate,
    TeamRole,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
    json_date,
    side_of_role,
)
from .selectors import ProjectAccess, last_side_manager_refusal, removal_consequences

PROJECT_EDITABLE_FIELDS = (
    "code",
    "name",
    "description",
    "modality",
    "phase",
    "service_scope",
    "status",
    "start_date",
    "update_cadence_days",
    "question_response_days",
)


def project_create(*, actor: User, sponsor: Organization, cdmo: Organization, **fields: Any) -> Project:
    """Create a project; the creating CDMO admin does not join the team automatically."""
    if sponsor.kind != OrganizationKind.SPONSOR or cdmo.kind != OrganizationKind.CDMO:
        raise ServiceError("A project joins one sponsor and one CDMO.")
    if actor.organization_id not in (sponsor.pk, cdmo.pk) or not actor.is_org_admin:
        raise NotAllowed("Only an admin of the CDMO or sponsor can create a project.")
    unknown = set(fields) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    with transaction.atomic(), audited("Project created"):
        try:
            with transaction.atomic():
                return Project.objects.create(sponsor=sponsor, cdmo=cdmo, **fields)
        except IntegrityError as exc:
            raise ServiceError(
                f"{sponsor} already has a project with the code {fields.get('code')}."
            ) from exc


def project_update(*, access: ProjectAccess, version: int, **changes: Any) -> Project:
    """Apply `changes` if nobody saved the project since `version` was read.

    Compare-and-set on `version`: a stale form never overwrites a newer save.
    """
    if not access.can_manage_project:
        raise NotAllowed("Only the CDMO project manager or a CDMO admin can edit this project.")
    unknown = set(changes) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    project = access.project
    with transaction.atomic(), audited("Project details edited"):
        try:
            with transaction.atomic():
                updated = Project.objects.filter(pk=project.pk, version=version).update(
                    version=F("version") + 1, updated_at=timezone.now(), **changes
                )
        except IntegrityError as exc:
            raise ServiceError("Another project of this sponsor already uses that code.") from exc
        if not updated:
            raise ConcurrentEditError()
    project.refresh_from_db()
    return project


def _check_team_rights(access: ProjectAccess, side: str) -> None:
    if not access.can_manage_team_side(side):
        raise NotAllowed("You cannot change this side of the team.")


def team_member_add(
    *, access: ProjectAccess, user: User, role: str, is_point_of_contact: bool = False
) -> ProjectMember:
    """Put `user` on the team. Their organization must be the party for the role's side."""
    project = access.project
    side = side_of_role(role)
    _check_team_rights(access, side)
    expected_org = project.sponsor_id if side == Side.SPONSOR else project.cdmo_id
    if user.organization_id != expected_org:
        raise ServiceError(f"{user} is not part of the {side.label.lower()} organization of this project.")
    with transaction.atomic(), audited(f"{user} added to the team as {TeamRole(role).label.lower()}"):
        if is_point_of_contact:
            _clear_point_of_contact(project=project, side=side)
        try:
            with transaction.atomic():
                return ProjectMember.objects.create(
                    project=project, user=user, side=side, role=role, is_point_of_contact=is_point_of_contact
                )
        except IntegrityError as exc:
            raise ServiceError(f"{user} is already on the team.") from exc


def team_member_change(
    *, access: ProjectAccess, member: ProjectMember, role: str, is_point_of_contact: bool
) -> ProjectMember:
    """Change a member's role or make them their side's single point of contact.
    The last person on a side able to manage it keeps a managing role."""
    _check_team_rights(access, member.side)
    if side_of_role(role) != member.side:
        raise ServiceError("A member keeps their side; choose a role of that side.")
    with transaction.atomic(), audited(f"Team role of {member.user} changed"):
        _lock_side(member)
        refusal = last_side_manager_refusal(member=member, new_role=role)
        if refusal:
            raise ServiceError(refusal)
        if is_point_of_contact and not member.is_point_of_contact:
            _clear_point_of_contact(project=member.project, side=member.side)
        member.role = role
        member.is_point_of_contact = is_point_of_contact
        member.save(update_fields=["role", "is_point_of_contact"])
    return member


def team_member_remove(
    *, access: ProjectAccess, member: ProjectMember, confirmed: bool = False
) -> ProjectMember:
    """Take a member off the team. The membership is kept as a record, never deleted.

    The last person on a side able to manage it cannot be removed (ServiceError). Removing
    yourself, the only decision-maker or a point of contact raises ConfirmationRequired
    with what follows, unless `confirmed`."""
    _check_team_rights(access, member.side)
    if member.removed_at is not None:
        return member
    with transaction.atomic(), audited(f"{member.user} removed from the team"):
        _lock_side(member)
        member.refresh_from_db(fields=["removed_at", "role", "is_point_of_contact"])
        if member.removed_at is not None:
            return member
        refusal = last_side_manager_refusal(member=member)
        if refusal:
            raise ServiceError(refusal)
        consequences = removal_consequences(access=access, member=member)
        if consequences and not confirmed:
            raise ConfirmationRequired(consequences)
        member.removed_at = timezone.now()
        member.is_point_of_contact = False
        member.save(update_fields=["removed_at", "is_point_of_contact"])
    return member


def _lock_side(member: ProjectMember) -> None:
    # Two managers removing each other at once must not both pass the last-manager check.
    list(
        ProjectMember.objects.select_for_update()
        .filter(project_id=member.project_id, side=member.side, removed_at__isnull=True)
        .values_list("pk", flat=True)
    )


def _clear_point_of_contact(*, project: Project, side: str) -> None:
    # Only one point of contact per side; the database enforces it, this hands over.
    ProjectMember.objects.filter(
        project=project, side=side, is_point_of_contact=True, removed_at__isnull=True
    ).update(is_point_of_contact=False)


# ---------------------------------------------------------------------------
# Milestones (issue 3)
# ---------------------------------------------------------------------------

MILESTONE_EDITABLE_FIELDS = ("kind", "title", "owner", "notes")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


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
    """A new milestone. Its forecast starts at the baseline; moving it later needs a reason."""
    _require(
        rules.can_edit_milestones(access), "Only the CDMO project manager or a CDMO admin edits milestones."
    )
    title = (title or "").strip()
    if not title:
        raise ServiceError("Give the milestone a title.")
    _check_owner(access.project, owner)
    with transaction.atomic(), audited(f"Milestone “{title}” added"):
        return Milestone.objects.create(
            project=access.project,
            kind=kind,
            title=title,
            owner=owner,
            baseline_date=baseline_date,
            forecast_date=baseline_date,
            notes=notes,
        )


def milestone_update(
    *, access: ProjectAccess, milestone: Milestone, version: int, **changes: Any
) -> Milestone:
    """Edit what a milestone is (kind, title, owner, notes). Dates and status have their own services."""
    _require(
        rules.can_edit_milestones(access), "Only the CDMO project manager or a CDMO admin edits milestones."
    )
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
        rules.can_edit_milestones(access), "Only the CDMO project manager or a CDMO admin edits milestones."
    )
    if status not in MilestoneStatus.values:
        raise ServiceError("Choose a valid status.")
    if status == MilestoneStatus.DONE:
        if actual_date is None:
            raise ServiceError("Give the date the milestone was actually done.")
        if actual_date > timezone.localdate():
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
        rules.can_edit_milestones(access), "Only the CDMO project manager or a CDMO admin edits milestones."
    )
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
        rules.can_edit_milestones(access), "Only the CDMO project manager or a CDMO admin edits milestones."
    )
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


# ---------------------------------------------------------------------------
# Structured status updates (issue 3)
# ---------------------------------------------------------------------------

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
        rules.can_author_updates(access),
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
    return timezone.localdate()


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
        current.updated_at = timezone.now()
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
    today = timezone.localdate()
    for item in update.decisions_needed or []:
        needed_by = json_date(item.get("needed_by"))
        if not (item.get("title") or "").strip() or needed_by is None:
            problems["decisions_needed"] = "Every decision needs a description and a needed-by date."
        elif needed_by < today and not item.get("source_decision"):
            problems["decisions_needed"] = "A decision's needed-by date cannot be in the past."
    if update.is_correction and not update.correction_reason.strip():
        problems["correction_reason"] = "Say what this correction fixes."
    return problems


def _raise_decisions(update: StatusUpdate, now) -> list[dict]:
    """Turn the draft's decisions-needed items into requests the sponsor resolves.

    A correction keeps an unchanged request as it is (decided or not), replaces
    a changed one, and withdraws what it no longer asks for.
    """
    previous = {}
    if update.revision_of_id:
        previous = {
            d.pk: d
            for d in DecisionRequest.objects.select_for_update().filter(update_id=update.revision_of_id)
        }
        # Requests the previous revision kept from earlier revisions are part of it too.
        kept = [item.get("decision_id") for item in update.revision_of.decisions_needed or []]
        previous.update(
            {
                d.pk: d
                for d in DecisionRequest.objects.select_for_update().filter(pk__in=[k for k in kept if k])
            }
        )
    carried: set[int] = set()
    items = []
    for item in update.decisions_needed or []:
        title, needed_by = item["title"].strip(), json_date(item["needed_by"])
        source = previous.get(item.get("source_decision"))
        if source is not None and source.title == title and source.needed_by == needed_by:
            carried.add(source.pk)
            items.append({**item, "title": title, "decision_id": source.pk})
            continue
        request = DecisionRequest.objects.create(
            project_id=update.project_id,
            update=update,
            title=title,
            needed_by=needed_by,
            raised_at=now,
            replaces=source,
        )
        items.append({**item, "title": title, "decision_id": request.pk})
    for request in previous.values():
        if request.pk not in carried and request.status == DecisionStatus.OPEN:
            request.status = DecisionStatus.WITHDRAWN
            request.withdrawn_at = now
            request.withdrawn_reason = f"Changed or removed by revision {update.revision_number}"
            request.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    return items


def update_publish(
    *, access: ProjectAccess, update: StatusUpdate, version: int | None = None
) -> StatusUpdate:
    """Publish a draft: it becomes a record the sponsor's team is emailed about.

    A correction supersedes the revision it corrects. A new update sets when the
    next one is due (published date + cadence) for the stale-update monitor.
    """
    _require_author(access)
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
        now = timezone.now()
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
        if not correction:
            project = access.project
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
    with transaction.atomic(), audited("Draft update discarded"):
        current = _locked_draft(update, None)
        current.status = UpdateStatus.DISCARDED
        current.discarded_at = timezone.now()
        current.version += 1
        current.save()
    return current


def attachment_add(*, access: ProjectAccess, update: StatusUpdate, upload: UploadedFile) -> UpdateAttachment:
    """Attach a file to a draft after checking its size, its name and its content."""
    _require_author(access)
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
        )


def attachment_remove(*, access: ProjectAccess, attachment: UpdateAttachment) -> UpdateAttachment:
    """Take a file off a draft (the row is kept). Published attachments are part of the record."""
    _require_author(access)
    with transaction.atomic(), audited(f"File “{attachment.original_name}” removed from the draft"):
        _locked_draft(attachment.update, None)
        if attachment.removed_at is None:
            attachment.removed_at = timezone.now()
            attachment.save(update_fields=["removed_at"])
    return attachment


def update_acknowledge(*, access: ProjectAccess, update: StatusUpdate) -> UpdateAcknowledgement:
    """The sponsor confirms they read the update. Idempotent: a second click returns the first."""
    _require(rules.can_acknowledge(access), "Only the sponsor's side acknowledges an update.")
    if update.status != UpdateStatus.PUBLISHED:
        raise ServiceError("Only the current published revision can be acknowledged.")
    existing = UpdateAcknowledgement.objects.filter(update=update, user=access.user).first()
    if existing:
        return existing
    try:
        with transaction.atomic(), audited("Status update acknowledged"):
            return UpdateAcknowledgement.objects.create(update=update, user=access.user)
    except IntegrityError:
        # A double click raced the first one: the first acknowledgement stands.
        return UpdateAcknowledgement.objects.get(update=update, user=access.user)


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
    _require(rules.can_comment(access), "You cannot comment on this update.")
    body = (body or "").strip()
    if not body:
        raise ServiceError("Write something first.")
    if kind not in (CommentKind.COMMENT, CommentKind.QUESTION):
        raise ServiceError("Choose a comment or a question.")
    if kind == CommentKind.QUESTION:
        _require(rules.can_ask_question(access), "Questions with a response clock are the sponsor's.")
    if is_internal:
        _require(rules.can_post_internal(access), "Only the CDMO team writes internal notes.")
        if kind != CommentKind.COMMENT:
            raise ServiceError("An internal note is a comment, not a question.")
    if update.status != UpdateStatus.PUBLISHED:
        raise ServiceError("Discussion happens on the current published revision of an update.")
    now = timezone.now()
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
    _require(rules.can_answer(access), "The CDMO team answers questions.")
    body = (body or "").strip()
    if not body:
        raise ServiceError("Write the answer first.")
    if question.kind != CommentKind.QUESTION:
        raise ServiceError("Only questions are answered.")
    now = timezone.now()
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
        enqueue_on_commit(tasks.notify_question_answered, answer.pk)
    question.refresh_from_db(fields=["answered_at", "answered_by"])
    return answer


def decision_resolve(*, access: ProjectAccess, decision: DecisionRequest, note: str) -> DecisionRequest:
    """The sponsor's lead or decision-maker records the decision. Final once made."""
    _require(
        rules.can_resolve_decision(access),
        "Only the sponsor's project lead or decision-maker records a decision.",
    )
    note = (note or "").strip()
    if not note:
        raise ServiceError("Write down what was decided.")
    now = timezone.now()
    with transaction.atomic(), audited(f"Decision made: {decision.title}"):
        updated = DecisionRequest.objects.filter(pk=decision.pk, status=DecisionStatus.OPEN).update(
            status=DecisionStatus.DECIDED, decided_at=now, decided_by=access.user, decision_note=note
        )
        if not updated:
            current = DecisionRequest.objects.select_related("decided_by").get(pk=decision.pk)
            if current.status == DecisionStatus.DECIDED:
                raise ServiceError(
                    f"{current.decided_by} already recorded this decision on {timezone.localtime(current.decided_at):%-d %b %Y}."
                )
            raise ServiceError(
                "This request was withdrawn by a corrected update; there is nothing to decide."
            )
        enqueue_on_commit(tasks.notify_decision_made, decision.pk)
    decision.refresh_from_db()
    return decision
