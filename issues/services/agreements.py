"""Agreeing the response times of a project."""

from __future__ import annotations

from django.db import transaction

from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError
from projects.models import WorkingAgreement
from projects.selectors import ProjectAccess, has_agreement_in_force

from .. import permissions
from ..models import ResponseTimeAgreement, Severity

# Agreed response times ------------------------------------------------------------


def agreement_set(
    *, access: ProjectAccess, severity: str, acknowledge_within_hours: int, plan_within_hours: int
) -> ResponseTimeAgreement:
    """Agree the response times for one severity. Issues already raised keep their deadlines."""
    if not permissions.can_edit_agreements(access):
        raise NotAllowed(
            "Only the CDMO project manager or a CDMO admin can change the agreed response times."
        )
    if severity not in Severity.values:
        raise ServiceError("Unknown severity.")
    if has_agreement_in_force(project=access.project):
        raise ServiceError(
            "The response times are part of the working agreement both leads signed; "
            "propose a change to the agreement instead."
        )
    if acknowledge_within_hours < 1:
        raise ServiceError("Acknowledging takes at least one business hour.")
    if plan_within_hours < acknowledge_within_hours:
        raise ServiceError("The resolution plan cannot be due before the acknowledgement.")
    with (
        transaction.atomic(),
        audited(f"Agreed response times for {Severity(severity).label.lower()} issues changed"),
    ):
        agreement, _ = ResponseTimeAgreement.objects.select_for_update().update_or_create(
            project=access.project,
            severity=severity,
            defaults={
                "acknowledge_within_hours": acknowledge_within_hours,
                "plan_within_hours": plan_within_hours,
            },
        )
    return agreement


def apply_working_agreement(*, agreement: WorkingAgreement, **_) -> None:
    """A working agreement came into force: its response times become the project's rows, in the
    same transaction (connected to `projects.signals.agreement_in_force` in IssuesConfig.ready).
    Issues already raised keep the deadlines they were given."""
    for severity, (ack, plan) in agreement.response_hours.items():
        ResponseTimeAgreement.objects.update_or_create(
            project_id=agreement.project_id,
            severity=severity,
            defaults={"acknowledge_within_hours": ack, "plan_within_hours": plan},
        )
