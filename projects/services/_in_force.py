"""Putting a working agreement version in force: shared by the leads' signing
(services/agreements.py) and the approval of a change request that carries one (services/changes.py)."""

from __future__ import annotations

import datetime

from portal.core.signals import project_data_changed

from ..models import AgreementStatus, ChangeRequest, Project, WorkingAgreement
from ..signals import agreement_in_force


def put_in_force(agreement: WorkingAgreement, *, now: datetime.datetime) -> WorkingAgreement:
    """Supersede the version in force and put `agreement` in force, writing the live settings
    the rules read (inside the caller's transaction)."""
    project = Project.objects.select_for_update().get(pk=agreement.project_id)
    WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE).update(
        status=AgreementStatus.SUPERSEDED, superseded_at=now
    )
    agreement.status, agreement.effective_from = AgreementStatus.IN_FORCE, now
    agreement.save(update_fields=["status", "effective_from"])
    project.update_cadence_days = agreement.update_cadence_days
    project.question_response_days = agreement.question_response_days
    project.version += 1
    project.save(update_fields=["update_cadence_days", "question_response_days", "version", "updated_at"])
    agreement_in_force.send(sender=WorkingAgreement, agreement=agreement)
    project_data_changed.send(sender=WorkingAgreement, project_id=project.pk)
    return agreement


def settle_proposed_agreement(change: ChangeRequest, *, approved: bool, now: datetime.datetime) -> None:
    """Called by the change services when a change is decided: a proposed agreement comes into
    force with the approval, or is replaced when the change is rejected or withdrawn."""
    proposed = WorkingAgreement.objects.select_for_update().filter(change_request=change).first()
    if proposed is None or proposed.status != AgreementStatus.PROPOSED:
        return
    if approved:
        put_in_force(proposed, now=now)
    else:
        proposed.status = AgreementStatus.REPLACED
        proposed.save(update_fields=["status"])
