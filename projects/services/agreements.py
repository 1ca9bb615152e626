"""Writes for the working agreement (docs/working-agreement.md).

A draft is written by either side's lead; each side's lead signs it (meaning Agreed); the second
signature puts it in force in the same transaction: the version before is superseded, the
project's update cadence and question response time are written from it and `agreement_in_force`
is sent so the issues app writes its response-time rows. Once a version is in force, the terms
change only through a change request carrying a proposed version; approving the change (signed by
the sponsor's decider) puts that version in force the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.db import transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit

from .. import permissions, tasks
from ..agreed_targets import DEFAULT_NOTICE_DAYS, notice_problem, targets_problem, tolerance_problem
from ..models import (
    AgreementStatus,
    ChangeRequest,
    Project,
    ProjectMember,
    Side,
    WorkingAgreement,
    response_hours_problem,
)
from ..selectors import ProjectAccess
from ._checks import _require
from ._in_force import put_in_force
from .changes import OptionDraft, change_raise


@dataclass
class AgreementTerms:
    """The terms as typed (the form's cleaned data)."""

    update_cadence_days: int
    question_response_days: int
    response_hours: dict[str, list[int]]
    governance_every_weeks: int
    governance_forum: str
    sponsor_escalation: User
    cdmo_escalation: User
    escalation_steps: str
    # The scorecard terms: none by default, as before they existed (docs/working-agreement.md).
    on_time_tolerance_days: int = 0
    scorecard_targets: dict[str, list[int]] = field(default_factory=dict)
    slip_notice_days: int = DEFAULT_NOTICE_DAYS

    @classmethod
    def of(cls, agreement: WorkingAgreement) -> AgreementTerms:
        return cls(**{name: getattr(agreement, name) for name in cls.__dataclass_fields__})


def _check_terms(project: Project, terms: AgreementTerms) -> None:
    problem = response_hours_problem(terms.response_hours)
    if problem:
        raise ServiceError(problem)
    if not 1 <= terms.update_cadence_days <= 90 or not 1 <= terms.question_response_days <= 30:
        raise ServiceError(
            "Updates come every 1 to 90 days; questions are answered within 1 to 30 business days."
        )
    if not 1 <= terms.governance_every_weeks <= 26:
        raise ServiceError("Governance meetings come every 1 to 26 weeks.")
    if not (terms.escalation_steps or "").strip():
        raise ServiceError("Say how either side escalates, and when.")
    problem = (
        tolerance_problem(terms.on_time_tolerance_days)
        or notice_problem(terms.slip_notice_days)
        or targets_problem(terms.scorecard_targets)
    )
    if problem:
        raise ServiceError(problem)
    on_team = dict(
        ProjectMember.objects.filter(
            project=project,
            removed_at__isnull=True,
            user__in=[terms.sponsor_escalation, terms.cdmo_escalation],
        ).values_list("user_id", "side")
    )
    if on_team.get(terms.sponsor_escalation.pk) != Side.SPONSOR:
        raise ServiceError("The sponsor escalation contact must be on the sponsor's team of this project.")
    if on_team.get(terms.cdmo_escalation.pk) != Side.CDMO:
        raise ServiceError("The CDMO escalation contact must be on the CDMO's team of this project.")


def _write(access: ProjectAccess, terms: AgreementTerms, status: str, change: ChangeRequest | None = None):
    project = access.project
    _check_terms(project, terms)
    last = WorkingAgreement.objects.filter(project=project).order_by("-number").first()
    # Any draft or proposal not yet in force is replaced by this one (its signatures stay on it).
    WorkingAgreement.objects.filter(
        project=project, status__in=[AgreementStatus.DRAFT, AgreementStatus.PROPOSED]
    ).update(status=AgreementStatus.REPLACED)
    values = asdict(terms)
    values["governance_forum"] = values["governance_forum"].strip()
    values["escalation_steps"] = values["escalation_steps"].strip()
    values["scorecard_targets"] = {key: list(v) for key, v in values["scorecard_targets"].items()}
    return WorkingAgreement.objects.create(
        project=project,
        number=(last.number + 1) if last else 1,
        status=status,
        drafted_by=access.user,
        drafted_at=clock.now(),
        change_request=change,
        **values,
    )


def agreement_draft(*, access: ProjectAccess, terms: AgreementTerms) -> WorkingAgreement:
    """Write the kickoff draft (or replace a draft nobody has put in force yet)."""
    _require(
        permissions.can_draft_agreement(access),
        "Only the sponsor's project lead or the CDMO's project manager drafts the working agreement.",
    )
    with transaction.atomic(), audited("Working agreement drafted"):
        Project.objects.select_for_update().get(pk=access.project.pk)
        if WorkingAgreement.objects.filter(project=access.project, status=AgreementStatus.IN_FORCE).exists():
            raise ServiceError("A working agreement is in force; its terms change through a change request.")
        if WorkingAgreement.objects.filter(project=access.project, status=AgreementStatus.PROPOSED).exists():
            raise ServiceError("A change request proposes new terms; decide it first.")
        return _write(access, terms, AgreementStatus.DRAFT)


def agreement_sign(*, access: ProjectAccess, agreement: WorkingAgreement) -> WorkingAgreement:
    """Record one side's lead agreeing (the `perform` of the signed action); the second side's
    signature puts the draft in force."""
    _require(
        permissions.can_sign_agreement(access),
        "Only the sponsor's project lead and the CDMO's project manager sign the working agreement.",
    )
    with transaction.atomic(), audited(f"Working agreement v{agreement.number} signed"):
        current = WorkingAgreement.objects.select_for_update().get(pk=agreement.pk, project=access.project)
        if current.status != AgreementStatus.DRAFT:
            raise ServiceError(
                f"This version is {current.get_status_display().lower()}; there is nothing to sign."
            )
        side = "sponsor" if access.is_sponsor else "cdmo"
        if getattr(current, f"{side}_signed_by_id"):
            raise ServiceError(f"{getattr(current, f'{side}_signed_by')} already signed for your side.")
        now = clock.now()
        setattr(current, f"{side}_signed_by", access.user)
        setattr(current, f"{side}_signed_at", now)
        current.save(update_fields=[f"{side}_signed_by", f"{side}_signed_at"])
        if current.sponsor_signed_by_id and current.cdmo_signed_by_id:
            put_in_force(current, now=now)
        enqueue_on_commit(tasks.notify_agreement_signed, current.pk, side)
    return current


def agreement_propose_change(
    *, access: ProjectAccess, terms: AgreementTerms, why: str, needed_by: datetime.date
) -> ChangeRequest:
    """Raise a change request carrying a proposed version; approving it puts that version in force."""
    with transaction.atomic():
        # One proposal at a time, decided in turn (the project row serialises two at once).
        Project.objects.select_for_update().get(pk=access.project.pk)
        current = WorkingAgreement.objects.filter(
            project=access.project, status=AgreementStatus.IN_FORCE
        ).first()
        if current is None:
            raise ServiceError("No working agreement is in force yet; draft and sign one instead.")
        if WorkingAgreement.objects.filter(project=access.project, status=AgreementStatus.PROPOSED).exists():
            raise ServiceError("A change request already proposes new terms; decide or withdraw it first.")
        changed = [
            WorkingAgreement._meta.get_field(name).verbose_name
            for name, value in asdict(terms).items()
            if getattr(current, name) != value
        ]
        if not changed:
            raise ServiceError("These are the terms in force; change at least one.")
        change = change_raise(
            access=access,
            title="Change the working agreement",
            what="Changed terms: " + "; ".join(changed) + ".",
            why=why,
            needed_by=needed_by,
            options=[
                OptionDraft(
                    label="Adopt the proposed agreement",
                    description="The working agreement as proposed replaces the one in force.",
                )
            ],
            recommended=0,
            recommendation=why,
        )
        _write(access, terms, AgreementStatus.PROPOSED, change=change)
    return change
