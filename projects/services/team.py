"""Writes for the project team: adding, changing and removing members."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ConfirmationRequired, NotAllowed, ServiceError

from .. import permissions
from ..models import (
    Project,
    ProjectMember,
    Side,
    TeamRole,
    side_of_role,
)
from ..selectors import ProjectAccess, last_side_manager_refusal, removal_consequences
from ._checks import require_same_project


def _check_team_rights(access: ProjectAccess, side: str) -> None:
    if not permissions.can_manage_team(access, side):
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
                    project=project,
                    user=user,
                    side=side,
                    role=role,
                    is_point_of_contact=is_point_of_contact,
                    added_at=clock.now(),
                )
        except IntegrityError as exc:
            raise ServiceError(f"{user} is already on the team.") from exc


def team_member_change(
    *, access: ProjectAccess, member: ProjectMember, role: str, is_point_of_contact: bool
) -> ProjectMember:
    """Change a member's role or make them their side's single point of contact.
    The last person on a side able to manage it keeps a managing role."""
    _check_team_rights(access, member.side)
    require_same_project(access, member.project_id)
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
    require_same_project(access, member.project_id)
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
        member.removed_at = clock.now()
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
