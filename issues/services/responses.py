"""The CDMO's responses and the sponsor's answers: acknowledge, plan, accept or send back, resolve,
confirm, reopen."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ServiceError
from projects.models import ProjectMember, Side
from projects.selectors import ProjectAccess

from ..models import EventKind, PlanStatus, ResolutionPlan, ServiceIssue
from ..workflow import Action
from .common import _check_access, _iso, _lock_for, _record, _save, calendar_for


def issue_acknowledge(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The CDMO confirms it has the issue. Late acknowledgements are recorded as breaches."""
    _check_access(access, issue)
    now = now or clock.now()
    with transaction.atomic(), audited("Service issue acknowledged"):
        locked, new_status = _lock_for(issue=issue, action=Action.ACKNOWLEDGE, access=access)
        locked.status = new_status
        locked.acknowledged_at = now
        locked.acknowledged_by = access.user
        locked.hours_to_acknowledge = round(
            calendar_for(locked.project).business_hours_between(locked.raised_at, now), 2
        )
        fields = ["status", "acknowledged_at", "acknowledged_by", "hours_to_acknowledge"]
        late = now > locked.acknowledge_by
        if late and locked.acknowledge_breached_at is None:
            locked.acknowledge_breached_at = now
            fields.append("acknowledge_breached_at")
        _save(locked, *fields)
        _record(
            issue=locked,
            kind=EventKind.ACKNOWLEDGED,
            actor=access.user,
            summary="Acknowledged" + (" after the agreed time" if late else " within the agreed time"),
            note=note.strip(),
            now=now,
            data={"late": late},
            notify=notify,
        )
    return locked


def issue_propose_plan(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    owner: User,
    steps: str,
    target_date: dt.date,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ResolutionPlan:
    """The CDMO proposes how it will resolve the issue: an owner, steps and a target date."""
    _check_access(access, issue)
    now = now or clock.now()
    if not steps.strip():
        raise ServiceError("Describe the steps of the plan.")
    owner_on_team = ProjectMember.objects.filter(
        project_id=issue.project_id, user=owner, side=Side.CDMO, removed_at__isnull=True
    ).exists()
    if not owner_on_team:
        raise ServiceError(f"{owner} is not on the CDMO team of this project; choose an owner from the team.")
    calendar = calendar_for(access.project)
    if target_date < now.astimezone(calendar.zone).date():
        raise ServiceError("The target date cannot be in the past.")
    with transaction.atomic(), audited("Resolution plan proposed"):
        locked, new_status = _lock_for(issue=issue, action=Action.PROPOSE_PLAN, access=access)
        plan = ResolutionPlan.objects.create(
            issue=locked,
            owner=owner,
            steps=steps.strip(),
            target_date=target_date,
            proposed_by=access.user,
            proposed_at=now,
        )
        locked.status = new_status
        locked.plan_proposed_at = now
        fields = ["status", "plan_proposed_at"]
        if locked.first_plan_proposed_at is None:
            locked.first_plan_proposed_at = now
            locked.hours_to_first_plan = round(calendar.business_hours_between(locked.raised_at, now), 2)
            fields += ["first_plan_proposed_at", "hours_to_first_plan"]
        late = now > locked.plan_by
        if late and locked.plan_breached_at is None:
            locked.plan_breached_at = now
            locked.plan_breach_count += 1
            fields += ["plan_breached_at", "plan_breach_count"]
        _save(locked, *fields)
        _record(
            issue=locked,
            kind=EventKind.PLAN_PROPOSED,
            actor=access.user,
            summary=f"Resolution plan proposed: {owner} owns it, target {target_date:%d %b %Y}"
            + (" (after the agreed time)" if late else ""),
            note=steps.strip(),
            now=now,
            data={
                "plan_id": plan.pk,
                "owner_id": owner.pk,
                "target_date": target_date.isoformat(),
                "late": late,
            },
            notify=notify,
        )
    return plan


def _pending_plan(locked: ServiceIssue, plan: ResolutionPlan) -> ResolutionPlan:
    current = ResolutionPlan.objects.select_for_update().filter(pk=plan.pk, issue=locked).first()
    if current is None or current.status != PlanStatus.PROPOSED:
        raise ServiceError("This resolution plan was already answered; look at the latest plan.")
    return current


def issue_accept_plan(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    plan: ResolutionPlan,
    note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor accepts the proposed plan; the CDMO carries it out."""
    _check_access(access, issue)
    now = now or clock.now()
    with transaction.atomic(), audited("Resolution plan accepted"):
        locked, new_status = _lock_for(issue=issue, action=Action.ACCEPT_PLAN, access=access)
        current = _pending_plan(locked, plan)
        current.status = PlanStatus.ACCEPTED
        current.response_note = note.strip()
        current.responded_by = access.user
        current.responded_at = now
        current.save(update_fields=["status", "response_note", "responded_by", "responded_at"])
        locked.status = new_status
        _save(locked, "status")
        _record(
            issue=locked,
            kind=EventKind.PLAN_ACCEPTED,
            actor=access.user,
            summary=f"Accepted the resolution plan (target {current.target_date:%d %b %Y})",
            note=note.strip(),
            now=now,
            data={"plan_id": current.pk},
            notify=notify,
        )
    return locked


def _restart_plan_clock(locked: ServiceIssue, now: dt.datetime) -> list[str]:
    """A new plan is owed: the plan clock starts again from the agreed plan time."""
    locked.plan_by = calendar_for(locked.project).add_business_hours(now, locked.plan_within_hours)
    locked.plan_proposed_at = None
    locked.plan_breached_at = None
    return ["plan_by", "plan_proposed_at", "plan_breached_at"]


def issue_send_back_plan(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    plan: ResolutionPlan,
    note: str,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor sends the plan back with a reason; the CDMO owes a new plan."""
    _check_access(access, issue)
    if not note.strip():
        raise ServiceError("Say why the plan does not work for you, so the CDMO can propose a better one.")
    now = now or clock.now()
    with transaction.atomic(), audited("Resolution plan sent back"):
        locked, new_status = _lock_for(issue=issue, action=Action.SEND_BACK_PLAN, access=access)
        current = _pending_plan(locked, plan)
        current.status = PlanStatus.SENT_BACK
        current.response_note = note.strip()
        current.responded_by = access.user
        current.responded_at = now
        current.save(update_fields=["status", "response_note", "responded_by", "responded_at"])
        locked.status = new_status
        fields = _restart_plan_clock(locked, now)
        _save(locked, "status", *fields)
        _record(
            issue=locked,
            kind=EventKind.PLAN_SENT_BACK,
            actor=access.user,
            summary="Sent the resolution plan back; a new plan is due",
            note=note.strip(),
            now=now,
            data={"plan_id": current.pk, "plan_by": _iso(locked.plan_by)},
            notify=notify,
        )
    return locked


def issue_resolve(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    summary: str,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The CDMO reports the plan carried out; the sponsor then confirms or reopens."""
    _check_access(access, issue)
    if not summary.strip():
        raise ServiceError("Summarize what was done to resolve the issue.")
    now = now or clock.now()
    with transaction.atomic(), audited("Service issue resolved"):
        locked, new_status = _lock_for(issue=issue, action=Action.RESOLVE, access=access)
        locked.status = new_status
        locked.resolved_at = now
        locked.resolution_summary = summary.strip()
        _save(locked, "status", "resolved_at", "resolution_summary")
        _record(
            issue=locked,
            kind=EventKind.RESOLVED,
            actor=access.user,
            summary="Marked resolved; waiting for the sponsor to confirm",
            note=summary.strip(),
            now=now,
            notify=notify,
        )
    return locked


def issue_confirm_closed(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor confirms the resolution: the issue is closed."""
    _check_access(access, issue)
    now = now or clock.now()
    with transaction.atomic(), audited("Service issue closed by the sponsor"):
        locked, new_status = _lock_for(issue=issue, action=Action.CONFIRM_CLOSED, access=access)
        locked.status = new_status
        locked.closed_at = now
        _save(locked, "status", "closed_at")
        _record(
            issue=locked,
            kind=EventKind.CLOSED,
            actor=access.user,
            summary="Confirmed the resolution and closed the issue",
            note=note.strip(),
            now=now,
            notify=notify,
        )
    return locked


def issue_reopen(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    reason: str,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor reopens a resolved or closed issue: back to acknowledged, a new plan is due."""
    _check_access(access, issue)
    if not reason.strip():
        raise ServiceError("Say why the issue is not resolved.")
    now = now or clock.now()
    with transaction.atomic(), audited("Service issue reopened"):
        locked, new_status = _lock_for(issue=issue, action=Action.REOPEN, access=access)
        locked.status = new_status
        locked.reopened_count += 1
        locked.resolved_at = None
        locked.closed_at = None
        locked.resolution_summary = ""
        fields = _restart_plan_clock(locked, now)
        _save(locked, "status", "reopened_count", "resolved_at", "closed_at", "resolution_summary", *fields)
        _record(
            issue=locked,
            kind=EventKind.REOPENED,
            actor=access.user,
            summary="Reopened; a new resolution plan is due",
            note=reason.strip(),
            now=now,
            data={"plan_by": _iso(locked.plan_by), "reopened_count": locked.reopened_count},
            notify=notify,
        )
    return locked
