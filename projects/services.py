"""Writes for projects and their teams. One function per change."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.core.audit import audited
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.organizations.models import Organization, OrganizationKind

from .models import Project, ProjectMember, Side, TeamRole, side_of_role
from .selectors import ProjectAccess

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
    """Change a member's role or make them their side's single point of contact."""
    _check_team_rights(access, member.side)
    if side_of_role(role) != member.side:
        raise ServiceError("A member keeps their side; choose a role of that side.")
    with transaction.atomic(), audited(f"Team role of {member.user} changed"):
        if is_point_of_contact and not member.is_point_of_contact:
            _clear_point_of_contact(project=member.project, side=member.side)
        member.role = role
        member.is_point_of_contact = is_point_of_contact
        member.save(update_fields=["role", "is_point_of_contact"])
    return member


def team_member_remove(*, access: ProjectAccess, member: ProjectMember) -> ProjectMember:
    """Take a member off the team. The membership is kept as a record, never deleted."""
    _check_team_rights(access, member.side)
    if member.removed_at is not None:
        return member
    with transaction.atomic(), audited(f"{member.user} removed from the team"):
        member.removed_at = timezone.now()
        member.is_point_of_contact = False
        member.save(update_fields=["removed_at", "is_point_of_contact"])
    return member


def _clear_point_of_contact(*, project: Project, side: str) -> None:
    # Only one point of contact per side; the database enforces it, this hands over.
    ProjectMember.objects.filter(
        project=project, side=side, is_point_of_contact=True, removed_at__isnull=True
    ).update(is_point_of_contact=False)
