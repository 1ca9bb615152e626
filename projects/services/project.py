"""Writes for projects: creating one and editing its details."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.organizations.models import Organization, OrganizationKind

from .. import permissions, tasks
from ..models import PROJECT_EDITABLE_FIELDS, AgreementStatus, Project, ProposalStatus, WorkingAgreement
from ..selectors import ProjectAccess


def project_create(*, actor: User, sponsor: Organization, cdmo: Organization, **fields: Any) -> Project:
    """Propose a project to the other organization; the creating admin does not join the team.

    The project starts as a proposal: the proposing side sees and staffs it, the other side sees only
    the proposal until its admin accepts it (`services.proposal_accept`); its admins are told.
    """
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
                project = Project.objects.create(
                    sponsor=sponsor,
                    cdmo=cdmo,
                    created_at=clock.now(),
                    proposal_status=ProposalStatus.PROPOSED,
                    proposed_by=actor,
                    proposed_by_org_id=actor.organization_id,
                    **fields,
                )
        except IntegrityError as exc:
            raise ServiceError(
                f"{sponsor} already has a project with the code {fields.get('code')}."
            ) from exc
        enqueue_on_commit(tasks.notify_project_proposed, project.pk)
    return project


def project_update(*, access: ProjectAccess, version: int, **changes: Any) -> Project:
    """Apply `changes` if nobody saved the project since `version` was read.

    Compare-and-set on `version`: a stale form never overwrites a newer save.
    """
    if not permissions.can_manage_project(access):
        raise NotAllowed("Only the CDMO project manager or a CDMO admin can edit this project.")
    unknown = set(changes) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown project fields: {sorted(unknown)}")
    project = access.project
    agreed = {"update_cadence_days", "question_response_days"} & {
        name for name, value in changes.items() if value != getattr(project, name)
    }
    if agreed and WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE).exists():
        raise ServiceError(
            "The update cadence and question response time are part of the working agreement both "
            "leads signed; propose a change to the agreement instead."
        )
    with transaction.atomic(), audited("Project details edited"):
        try:
            with transaction.atomic():
                updated = Project.objects.filter(pk=project.pk, version=version).update(
                    version=F("version") + 1, updated_at=clock.now(), **changes
                )
        except IntegrityError as exc:
            raise ServiceError("Another project of this sponsor already uses that code.") from exc
        if not updated:
            raise ConcurrentEditError()
    project.refresh_from_db()
    return project
