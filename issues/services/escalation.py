"""The escalation ladder: by hand (the sponsor) and by the monitoring sweep (a breached clock)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.business_time import describe_business_hours
from portal.core.events import DomainEvent, emit, emit_many
from portal.core.exceptions import NotAllowed, ServiceError
from projects.selectors import access_for, projects_visible_to

from ..models import (
    AWAITING_PLAN,
    ESCALATION_PHRASES,
    EscalationLevel,
    EventKind,
    IssueEvent,
    IssueStatus,
    ServiceIssue,
)
from ..workflow import Action
from .common import MAX_LEVEL, _iso, _lock_for, _record, _save, calendar_for

logger = logging.getLogger(__name__)


def issue_escalate(
    *,
    issue: ServiceIssue,
    reason: str,
    actor: User | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """Raise the issue one rung up the escalation ladder and tell the people there.

    With an `actor`, a sponsor escalates by hand (role checked through the
    project selector); without, the portal escalates (a breached deadline).
    Refused at the top of the ladder and on resolved or closed issues.
    """
    if not reason.strip():
        raise ServiceError("Give a reason for the escalation.")
    now = now or clock.now()
    access = None
    if actor is not None:
        project = (
            projects_visible_to(user=actor)
            .filter(pk=issue.project_id)
            .select_related("sponsor", "cdmo")
            .first()
        )
        if project is None:
            raise NotAllowed("You cannot see this project.")
        access = access_for(user=actor, project=project)
    with transaction.atomic(), audited("Service issue escalated"):
        locked, _ = _lock_for(issue=issue, action=Action.ESCALATE, access=access)
        if locked.escalation_level >= MAX_LEVEL:
            raise ServiceError(
                "This issue is already at the top of the escalation ladder (executives on both sides)."
            )
        locked.escalation_level += 1
        locked.escalated_at = now
        _save(locked, "escalation_level", "escalated_at")
        level = EscalationLevel(locked.escalation_level)
        _record(
            issue=locked,
            kind=EventKind.ESCALATED,
            actor=actor,
            summary=f"Escalated to {ESCALATION_PHRASES[level]}",
            note=reason.strip(),
            now=now,
            data={"level": int(level), "automatic": actor is None},
            notify=notify,
        )
        emit("issue.escalated", project_id=locked.project_id, subject=locked)
    return locked


# The monitoring sweep ---------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    issue_id: int
    clock: str  # "acknowledge" or "plan"


def issue_mark_breaches(
    *, now: dt.datetime | None = None, escalate: bool = True, notify: bool = True
) -> list[Breach]:
    """Record every deadline that passed unmet, once, and escalate each breach one rung.

    Set-based: one locking SELECT and one UPDATE per clock, served by the
    partial indexes on `acknowledge_by` and `plan_by`. Rows another worker holds
    are skipped (SKIP LOCKED); the breached_at IS NULL condition makes a second
    sweep a no-op, so however many workers run, a breach is recorded and
    escalated once.
    """
    now = now or clock.now()
    breaches: list[Breach] = []
    with transaction.atomic(), audited("Agreed response time breached"):
        due_ack = list(
            ServiceIssue.objects.select_for_update(skip_locked=True)
            .filter(status=IssueStatus.OPEN, acknowledge_breached_at__isnull=True, acknowledge_by__lte=now)
            .values_list("pk", flat=True)
        )
        if due_ack:
            ServiceIssue.objects.filter(pk__in=due_ack).update(
                acknowledge_breached_at=now, version=F("version") + 1, updated_at=now
            )
            breaches += [Breach(pk, "acknowledge") for pk in due_ack]
        due_plan = list(
            ServiceIssue.objects.select_for_update(skip_locked=True)
            .filter(status__in=AWAITING_PLAN, plan_breached_at__isnull=True, plan_by__lte=now)
            .values_list("pk", flat=True)
        )
        if due_plan:
            ServiceIssue.objects.filter(pk__in=due_plan).update(
                plan_breached_at=now,
                plan_breach_count=F("plan_breach_count") + 1,
                version=F("version") + 1,
                updated_at=now,
            )
            breaches += [Breach(pk, "plan") for pk in due_plan]
        if not breaches:
            return []
        issues = {
            i.pk: i
            for i in ServiceIssue.objects.filter(pk__in={b.issue_id for b in breaches}).select_related(
                "project__cdmo"
            )
        }
        IssueEvent.objects.bulk_create(
            [
                IssueEvent(
                    issue_id=b.issue_id,
                    project_id=issues[b.issue_id].project_id,
                    kind=EventKind.DEADLINE_BREACHED,
                    actor=None,
                    at=now,
                    summary=(
                        "Not acknowledged within the agreed time"
                        if b.clock == "acknowledge"
                        else "No resolution plan within the agreed time"
                    ),
                    data={
                        "clock": b.clock,
                        "deadline": _iso(
                            issues[b.issue_id].acknowledge_by
                            if b.clock == "acknowledge"
                            else issues[b.issue_id].plan_by
                        ),
                    },
                )
                for b in breaches
            ]
        )
        # One event per issue, however many of its clocks ran out in this sweep.
        emit_many(
            DomainEvent("issue.breached", issues[pk].project_id, ServiceIssue._meta.label, pk)
            for pk in dict.fromkeys(b.issue_id for b in breaches)
        )
        if escalate:
            for breach in breaches:
                issue = issues[breach.issue_id]
                if issue.escalation_level >= MAX_LEVEL:
                    continue
                deadline = issue.acknowledge_by if breach.clock == "acknowledge" else issue.plan_by
                what = "acknowledged" if breach.clock == "acknowledge" else "given a resolution plan"
                agreed = describe_business_hours(
                    issue.acknowledge_within_hours
                    if breach.clock == "acknowledge"
                    else issue.plan_within_hours
                )
                due = timezone.localtime(deadline, calendar_for(issue.project).zone)
                try:
                    issues[breach.issue_id] = issue_escalate(
                        issue=issue,
                        reason=f"Not {what} within the agreed {agreed} (due {due:%d %b %Y %H:%M %Z}).",
                        now=now,
                        notify=notify,
                    )
                except ServiceError:
                    # The breach is recorded either way; a refused rung must not stop the sweep.
                    logger.exception("Could not escalate service issue %s", issue.pk)
    return breaches
