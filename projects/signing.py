"""What signatures on a project's records cover.

Publishing a status update signs it as its author: everything the sponsor reads in it. Deciding a
decision request signs the request and the decision written. Neither changes once signed (a
published update is corrected by a new revision, signed on its own), so a signature only stops
matching if someone tampers with the record.
"""

from __future__ import annotations

from .agreed_targets import DEFAULT_NOTICE_DAYS
from .models import ChangeRequest, DecisionRequest, StatusUpdate, WorkingAgreement


def update_signed_content(update: StatusUpdate) -> dict:
    return {
        "update": update.pk,
        "project": update.project_id,
        "title": update.title,
        "revision": update.revision_number,
        "correction_reason": update.correction_reason,
        "period": [update.period_start.isoformat(), update.period_end.isoformat()],
        "status": {
            "overall": update.overall_rag,
            "schedule": update.schedule_rag,
            "budget": update.budget_rag,
            "quality": update.quality_rag,
            "supply": update.supply_rag,
        },
        "summary": update.summary,
        "progress": update.progress,
        "next_steps": update.next_steps,
        "risks": update.risks,
        "decisions_needed": update.decisions_needed,
    }


def decision_signed_content(decision: DecisionRequest) -> dict:
    """The request as the page shows it (its options and the recommendation, when it has them) and
    the decision once made. A request without options signs exactly what it signed before options
    existed, so earlier signatures keep matching."""
    content = {
        "decision_request": decision.pk,
        "project": decision.project_id,
        "raised_in_update": decision.update_id,
        "title": decision.title,
        "needed_by": decision.needed_by.isoformat(),
        "decision": decision.decision_note,
    }
    if decision.recommended_option_id is not None:
        content |= {
            "options": [
                {"option": o.pk, "label": o.label, "description": o.description}
                for o in decision.options.all()
            ],
            "recommended_option": decision.recommended_option_id,
            "recommendation": decision.recommendation,
            "approved_option": decision.approved_option_id,
        }
    return content


def agreement_terms_content(agreement: WorkingAgreement) -> dict:
    """The terms of a working agreement version (people by id). The scorecard terms are there
    only when the version sets them (a tolerance above 0, some agreed targets, a notice of a slip
    other than the default 14 days): a version without them reads exactly as versions did before
    those terms existed, so the signatures made then (on the agreement, or on a change that
    proposed it) still verify."""
    content = {
        "update_cadence_days": agreement.update_cadence_days,
        "question_response_days": agreement.question_response_days,
        "response_hours": agreement.response_hours,
        "governance_every_weeks": agreement.governance_every_weeks,
        "governance_forum": agreement.governance_forum,
        "sponsor_escalation": agreement.sponsor_escalation_id,
        "cdmo_escalation": agreement.cdmo_escalation_id,
        "escalation_steps": agreement.escalation_steps,
    }
    if agreement.on_time_tolerance_days:
        content["on_time_tolerance_days"] = agreement.on_time_tolerance_days
    if agreement.scorecard_targets:
        content["scorecard_targets"] = agreement.scorecard_targets
    if agreement.slip_notice_days != DEFAULT_NOTICE_DAYS:
        content["slip_notice_days"] = agreement.slip_notice_days
    return content


def agreement_headline(data: dict, created: bool) -> str:
    """The history's words for a working agreement version's events."""
    version = f"Working agreement v{data.get('number', '')}"
    if created:
        return f"{version} proposed" if data.get("status") == "proposed" else f"{version} drafted"
    return {
        "in_force": f"{version} in force",
        "superseded": f"{version} superseded",
        "replaced": f"{version} replaced",
    }.get(data.get("status"), f"{version} signed")


def agreement_signed_content(agreement: WorkingAgreement) -> dict:
    """A working agreement version as both leads read it: its number and every term. Who signed
    and whether it is in force are what signing changes, so they are not part of it."""
    return {
        "working_agreement": agreement.pk,
        "project": agreement.project_id,
        "version": agreement.number,
        "terms": agreement_terms_content(agreement),
    }


def change_signed_content(change: ChangeRequest) -> dict:
    """The change request with every option as the page shows it, and the decision once made
    (approving or rejecting signs the decision written); a change carrying a proposed working
    agreement signs its terms too."""
    content = _change_content(change)
    try:
        proposed = change.proposed_agreement  # select_related by get_change: no query there
    except WorkingAgreement.DoesNotExist:
        proposed = None
    if proposed is not None:
        content["working_agreement"] = {
            "version": proposed.number,
            "terms": agreement_terms_content(proposed),
        }
    return content


def _change_content(change: ChangeRequest) -> dict:
    """Only the current revision's options. A change never edited (revision 1) reads exactly as
    before revisions existed, so signatures made then still verify; an edited one names its
    revision."""
    content = {
        "change_request": change.pk,
        "project": change.project_id,
        "title": change.title,
        "what": change.what,
        "why": change.why,
        "needed_by": change.needed_by.isoformat(),
        "raised_by": change.raised_by_id,
        "options": [
            {
                "option": option.pk,
                "label": option.label,
                "description": option.description,
                # By id, in the order entered: a milestone renamed or re-baselined later does not
                # make an earlier signature look tampered with.
                "milestones": [{"milestone": i.milestone_id, "days": i.days} for i in option.impacts.all()],
                "cost": option.cost_impact,
                "quality": option.quality_impact,
                "regulatory": option.regulatory_impact,
            }
            for option in change.current_options
        ],
        "recommended_option": change.recommended_option_id,
        "recommendation": change.recommendation,
        "decision": {"approved_option": change.approved_option_id, "reason": change.decision_reason},
    }
    if change.revision > 1:
        content["revision"] = change.revision
    return content
