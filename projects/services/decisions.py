"""Writes for decision requests: raised by a published update, resolved by the sponsor."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.core import clock
from portal.core.audit import audited
from portal.core.events import emit
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed

from .. import permissions, tasks
from ..models import (
    MAX_OPTIONS,
    DecisionOption,
    DecisionOutcome,
    DecisionRequest,
    DecisionStatus,
    StatusUpdate,
    item_options,
    json_date,
)
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project


def option_problem(item: dict) -> str | None:
    """Why a decisions-needed row's options cannot be published (None when they can).

    No options is a free-text decision; otherwise 2 to MAX_OPTIONS options, each with a label
    and a description, one recommended, with the reasoning."""
    options = item_options(item)
    if not options:
        return None
    title = (item.get("title") or "").strip() or "a decision"
    if not 2 <= len(options) <= MAX_OPTIONS:
        return f"“{title}”: give between 2 and {MAX_OPTIONS} options, or none for a free-text decision."
    if not all(o["label"] and o["description"] for o in options):
        return f"“{title}”: give every option a label and a description."
    if (
        not 1 <= (item.get("recommended") or 0) <= len(options)
        or not (item.get("recommendation") or "").strip()
    ):
        return f"“{title}”: recommend one of the options and say why."
    return None


def _asked(item: dict) -> tuple:
    """What a request asks, to compare a correction's row with the request it came from."""
    options = item_options(item)
    recommended = item.get("recommended") if options else None
    recommendation = (item.get("recommendation") or "").strip() if options else ""
    return (
        item["title"].strip(),
        json_date(item["needed_by"]),
        tuple((o["label"], o["description"]) for o in options),
        recommended,
        recommendation,
    )


def _asked_by(request: DecisionRequest) -> tuple:
    options = list(request.options.all())
    positions = {o.pk: n for n, o in enumerate(options, start=1)}
    return (
        request.title,
        request.needed_by,
        tuple((o.label, o.description) for o in options),
        positions.get(request.recommended_option_id),
        request.recommendation,
    )


def _raise_decisions(update: StatusUpdate, now) -> list[dict]:
    """Turn the draft's decisions-needed items into requests the sponsor resolves.

    A correction keeps an unchanged request as it is (decided or not), replaces
    a changed one (title, date, options or recommendation), and withdraws what it no longer asks for.
    """
    previous = {}
    if update.revision_of_id:
        locked = DecisionRequest.objects.select_for_update(of=("self",)).prefetch_related("options")
        previous = {d.pk: d for d in locked.filter(update_id=update.revision_of_id)}
        # Requests the previous revision kept from earlier revisions are part of it too.
        kept = [item.get("decision_id") for item in update.revision_of.decisions_needed or []]
        previous.update({d.pk: d for d in locked.filter(pk__in=[k for k in kept if k])})
    carried: set[int] = set()
    items = []
    for item in update.decisions_needed or []:
        asked = _asked(item)
        title, needed_by, options, recommended, recommendation = asked
        source = previous.get(item.get("source_decision"))
        if source is not None and _asked_by(source) == asked:
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
            recommendation=recommendation,
        )
        if options:
            created = DecisionOption.objects.bulk_create(
                DecisionOption(decision=request, position=n, label=label, description=description)
                for n, (label, description) in enumerate(options, start=1)
            )
            request.recommended_option = created[recommended - 1]
            request.save(update_fields=["recommended_option"])
        emit("decision.requested", project_id=request.project_id, subject=request)
        items.append({**item, "title": title, "decision_id": request.pk})
    for request in previous.values():
        if request.pk not in carried and request.status == DecisionStatus.OPEN:
            request.status = DecisionStatus.WITHDRAWN
            request.withdrawn_at = now
            request.withdrawn_reason = f"Changed or removed by revision {update.revision_number}"
            request.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    return items


def decision_resolve(
    *,
    access: ProjectAccess,
    decision: DecisionRequest,
    outcome: str = DecisionOutcome.APPROVED,
    note: str,
    option: DecisionOption | None = None,
) -> DecisionRequest:
    """The sponsor's lead or decision-maker records the decision. Final once made.

    `outcome` is what the signature means (approved or rejected). A request with options is
    approved by naming one of them (the note is then optional) or rejected with a reason; one
    without options is decided in free text, as before options existed."""
    _require(
        permissions.can_resolve_decision(access),
        "Only the sponsor's project lead or decision-maker records a decision.",
    )
    require_same_project(access, decision.project_id)
    note = (note or "").strip()
    if outcome not in (DecisionOutcome.APPROVED, DecisionOutcome.REJECTED):
        raise ServiceError("Approve or reject.")
    has_options = decision.recommended_option_id is not None
    if outcome == DecisionOutcome.APPROVED and has_options:
        if option is None or option.decision_id != decision.pk:
            raise ServiceError("Choose one of the options offered.")
    else:
        option = None
        if not note:
            raise ServiceError(
                "Give the reason for rejecting." if has_options else "Write down what was decided."
            )
    now = clock.now()
    with transaction.atomic(), audited(f"Decision made: {decision.title}"):
        updated = DecisionRequest.objects.filter(pk=decision.pk, status=DecisionStatus.OPEN).update(
            status=DecisionStatus.DECIDED,
            decided_at=now,
            decided_by=access.user,
            decision_note=note,
            outcome=outcome,
            approved_option=option,
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
        emit("decision.decided", project_id=decision.project_id, subject=decision)
        # A compare-and-set UPDATE: no save for the monitoring to hear (a past-needed-by flag clears).
        project_data_changed.send(sender=DecisionRequest, project_id=decision.project_id)
    decision.refresh_from_db()
    return decision
