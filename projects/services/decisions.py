"""Writes for decision requests: raised by a published update, resolved by the sponsor."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed

from .. import permissions, tasks
from ..models import (
    DecisionRequest,
    DecisionStatus,
    StatusUpdate,
    json_date,
)
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project


def _raise_decisions(update: StatusUpdate, now) -> list[dict]:
    """Turn the draft's decisions-needed items into requests the sponsor resolves.

    A correction keeps an unchanged request as it is (decided or not), replaces
    a changed one, and withdraws what it no longer asks for.
    """
    previous = {}
    if update.revision_of_id:
        previous = {
            d.pk: d
            for d in DecisionRequest.objects.select_for_update().filter(update_id=update.revision_of_id)
        }
        # Requests the previous revision kept from earlier revisions are part of it too.
        kept = [item.get("decision_id") for item in update.revision_of.decisions_needed or []]
        previous.update(
            {
                d.pk: d
                for d in DecisionRequest.objects.select_for_update().filter(pk__in=[k for k in kept if k])
            }
        )
    carried: set[int] = set()
    items = []
    for item in update.decisions_needed or []:
        title, needed_by = item["title"].strip(), json_date(item["needed_by"])
        source = previous.get(item.get("source_decision"))
        if source is not None and source.title == title and source.needed_by == needed_by:
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
        )
        items.append({**item, "title": title, "decision_id": request.pk})
    for request in previous.values():
        if request.pk not in carried and request.status == DecisionStatus.OPEN:
            request.status = DecisionStatus.WITHDRAWN
            request.withdrawn_at = now
            request.withdrawn_reason = f"Changed or removed by revision {update.revision_number}"
            request.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    return items


def decision_resolve(*, access: ProjectAccess, decision: DecisionRequest, note: str) -> DecisionRequest:
    """The sponsor's lead or decision-maker records the decision. Final once made."""
    _require(
        permissions.can_resolve_decision(access),
        "Only the sponsor's project lead or decision-maker records a decision.",
    )
    require_same_project(access, decision.project_id)
    note = (note or "").strip()
    if not note:
        raise ServiceError("Write down what was decided.")
    now = clock.now()
    with transaction.atomic(), audited(f"Decision made: {decision.title}"):
        updated = DecisionRequest.objects.filter(pk=decision.pk, status=DecisionStatus.OPEN).update(
            status=DecisionStatus.DECIDED, decided_at=now, decided_by=access.user, decision_note=note
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
        # A compare-and-set UPDATE: no save for the monitoring to hear (a past-needed-by flag clears).
        project_data_changed.send(sender=DecisionRequest, project_id=decision.project_id)
    decision.refresh_from_db()
    return decision
