"""What signatures on a project's records cover.

Publishing a status update signs it as its author: everything the sponsor reads in it. Deciding a
decision request signs the request and the decision written. Neither changes once signed (a
published update is corrected by a new revision, signed on its own), so a signature only stops
matching if someone tampers with the record.
"""

from __future__ import annotations

from .models import DecisionRequest, StatusUpdate


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
    return {
        "decision_request": decision.pk,
        "project": decision.project_id,
        "raised_in_update": decision.update_id,
        "title": decision.title,
        "needed_by": decision.needed_by.isoformat(),
        "decision": decision.decision_note,
    }
