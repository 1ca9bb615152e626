"""Editing the working agreement terms a proposed change request carries (docs/working-agreement.md).

A version's terms never change once written (`agreement_terms_frozen`), and a change carries one
version (`WorkingAgreement.change_request` is one-to-one). So an edit writes a new `proposed`
version (the next number) linked to the change, and the version it replaces is marked `replaced`
and let go of the change (pghistory keeps its link in its events, so the history still shows
which change proposed it). The change goes to its next revision, its one option carried forward as
it was, and its `version` is raised: a decision dialog opened on the old terms is refused
(STALE_DECISION), and the signature of the next one covers the new terms
(`change_signed_content`). The other side is told, like for any edit of the change.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction

from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit

from .. import tasks
from ..models import AgreementStatus, ChangeRequest, Project, WorkingAgreement
from ..selectors import ProjectAccess
from ._checks import require_same_project
from .agreements import AgreementTerms, _write
from .change_edit import lock_for_edit
from .changes import OptionDraft, write_options


def _values(terms: AgreementTerms) -> dict:
    """The terms comparable with a version's (people by id, text stripped)."""
    values = {name: getattr(terms, name) for name in AgreementTerms.__dataclass_fields__}
    values["sponsor_escalation"] = terms.sponsor_escalation.pk
    values["cdmo_escalation"] = terms.cdmo_escalation.pk
    return values


def _changed_from(agreement: WorkingAgreement, terms: AgreementTerms) -> list[str]:
    """The names of the terms that differ from `agreement`'s."""
    theirs = _values(AgreementTerms.of(agreement))
    return [
        str(WorkingAgreement._meta.get_field(name).verbose_name)
        for name, value in _values(terms).items()
        if theirs[name] != value
    ]


def _carried_options(change: ChangeRequest) -> tuple[list[OptionDraft], int]:
    """The current revision's options as drafts (to write them at the next revision unchanged),
    and the index of the recommended one."""
    options = list(change.options.filter(revision=change.revision).prefetch_related("impacts__milestone"))
    drafts = [
        OptionDraft(
            label=o.label,
            description=o.description,
            cost_impact=o.cost_impact,
            quality_impact=o.quality_impact,
            regulatory_impact=o.regulatory_impact,
            milestones=[(i.milestone, i.days) for i in o.impacts.all()],
        )
        for o in options
    ]
    recommended = next((n for n, o in enumerate(options) if o.pk == change.recommended_option_id), 0)
    return drafts, recommended


def agreement_proposal_edit(
    *,
    access: ProjectAccess,
    change: ChangeRequest,
    version: int,
    terms: AgreementTerms,
    why: str,
    needed_by: datetime.date,
) -> ChangeRequest:
    """Edit the proposed terms (and why, and by when) of a proposed change, as whoever may edit
    the change (`can_withdraw_change`); `version` is the change's version the editor opened."""
    require_same_project(access, change.project_id)
    why = (why or "").strip()
    if not why:
        raise ServiceError("Say why the terms should change; the other side reads it.")
    terms = dataclasses.replace(
        terms,
        governance_forum=(terms.governance_forum or "").strip(),
        escalation_steps=(terms.escalation_steps or "").strip(),
    )
    with transaction.atomic():
        # The project row first, as proposing does: one proposal written at a time.
        Project.objects.select_for_update().get(pk=access.project.pk)
        current = lock_for_edit(access=access, change=change, version=version)
        proposed = (
            WorkingAgreement.objects.select_for_update()
            .filter(change_request=current, status=AgreementStatus.PROPOSED)
            .first()
        )
        if proposed is None:
            raise ServiceError("This change request proposes no working agreement terms.")
        in_force = WorkingAgreement.objects.filter(
            project=access.project, status=AgreementStatus.IN_FORCE
        ).first()
        against_in_force = _changed_from(in_force, terms) if in_force is not None else ["terms"]
        if not against_in_force:
            raise ServiceError("These are the terms in force; change at least one.")
        changed = ["agreement terms"] if _changed_from(proposed, terms) else []
        if current.needed_by != needed_by:
            changed.append("decision needed by")
        if current.why != why:
            changed.append("why")
        if not changed:
            raise ServiceError("Nothing was changed; edit a term, or go back to the change request.")
        with audited(f"Proposed working agreement edited: {current.title} ({', '.join(changed)})"):
            if "agreement terms" in changed:
                proposed.status, proposed.change_request = AgreementStatus.REPLACED, None
                proposed.save(update_fields=["status", "change_request"])
                _write(access, terms, AgreementStatus.PROPOSED, change=current)
            drafts, recommended = _carried_options(current)
            revision = current.revision + 1
            created = write_options(current, drafts, revision=revision)
            current.what = "Changed terms: " + "; ".join(against_in_force) + "."
            current.why = current.recommendation = why
            current.needed_by = needed_by
            current.recommended_option = created[recommended]
            current.revision = revision
            current.version += 1
            current.save()
            enqueue_on_commit(tasks.notify_change_edited, current.pk, current.revision, changed)
    return current
