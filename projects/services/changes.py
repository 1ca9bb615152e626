"""Writes for change requests: raised by either side, decided by the sponsor with a signature.

An approved option re-baselines the milestones it names, in the transaction of the signature:
the baseline moves by the option's days and so does the forecast (the approved change moves the
plan; how far the work runs ahead of or behind the plan stays what it was). Each move is written
to the baseline history with the approving change, and the forecast move to the forecast history.
This is the only way a baseline moves after creation; the database refuses any other
(`Milestone`'s trigger `milestone_baseline_moves_by_change`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from portal.core import clock
from portal.core.audit import audited
from portal.core.date_window import date_in_window
from portal.core.exceptions import ServiceError
from portal.core.queue import enqueue_on_commit

from .. import permissions, tasks
from ..models import (
    MAX_IMPACT_DAYS,
    MAX_OPTIONS,
    ChangeOption,
    ChangeRequest,
    ChangeStatus,
    Milestone,
    MilestoneBaseline,
    MilestoneForecastChange,
    MilestoneImpact,
)
from ..selectors import ProjectAccess
from ._checks import _require, require_same_project
from ._in_force import settle_proposed_agreement


@dataclass
class OptionDraft:
    """One option as typed: what it is, and its impacts (`milestones`: [(milestone, days)])."""

    label: str
    description: str
    cost_impact: str = ""
    quality_impact: str = ""
    regulatory_impact: str = ""
    milestones: list[tuple[Milestone, int]] = field(default_factory=list)


def _check_impacts(access: ProjectAccess, option: OptionDraft) -> None:
    seen = set()
    for milestone, days in option.milestones:
        require_same_project(access, milestone.project_id, "That milestone belongs to another project.")
        if milestone.pk in seen:
            raise ServiceError(f"“{option.label}” names “{milestone.title}” twice; give it once.")
        seen.add(milestone.pk)
        if not milestone.is_open:
            raise ServiceError(
                f"“{milestone.title}” is {milestone.get_status_display().lower()}; its baseline no longer moves."
            )
        if not days or abs(days) > MAX_IMPACT_DAYS:
            raise ServiceError(
                f"Move “{milestone.title}” by a number of days other than 0, at most {MAX_IMPACT_DAYS}."
            )
        if not date_in_window(milestone.baseline_date + datetime.timedelta(days=days)):
            raise ServiceError(
                f"Moving “{milestone.title}” by {days} days leaves the dates the portal keeps."
            )


def check_change_content(
    access: ProjectAccess,
    title: str,
    what: str,
    why: str,
    options: list[OptionDraft],
    recommended: int,
    recommendation: str,
) -> None:
    """What a change request must say, raised or edited (text already stripped)."""
    if not (title and what and why):
        raise ServiceError("Say what changes and why, under a title.")
    if not options or len(options) > MAX_OPTIONS:
        raise ServiceError(f"Give between one and {MAX_OPTIONS} options.")
    if not 0 <= recommended < len(options) or not recommendation:
        raise ServiceError("Recommend one of the options and say why.")
    for option in options:
        if not (option.label.strip() and option.description.strip()):
            raise ServiceError("Give every option a label and a description.")
        _check_impacts(access, option)


def change_raise(
    *,
    access: ProjectAccess,
    title: str,
    what: str,
    why: str,
    needed_by: datetime.date,
    options: list[OptionDraft],
    recommended: int,
    recommendation: str,
) -> ChangeRequest:
    """Raise a change request with its options; `recommended` is the index of the recommended one."""
    _require(
        permissions.can_raise_change(access),
        "Only the project managers and leads of either side raise change requests.",
    )
    title, what, why = (title or "").strip(), (what or "").strip(), (why or "").strip()
    recommendation = (recommendation or "").strip()
    check_change_content(access, title, what, why, options, recommended, recommendation)
    with transaction.atomic(), audited(f"Change request raised: {title}"):
        change = ChangeRequest.objects.create(
            project=access.project,
            raised_by=access.user,
            raised_by_side=access.side,
            raised_at=clock.now(),
            title=title,
            what=what,
            why=why,
            needed_by=needed_by,
            recommendation=recommendation,
        )
        created = write_options(change, options, revision=change.revision)
        change.recommended_option = created[recommended]
        change.save(update_fields=["recommended_option"])
        enqueue_on_commit(tasks.notify_change_raised, change.pk)
    return change


def write_options(change: ChangeRequest, options: list[OptionDraft], *, revision: int) -> list[ChangeOption]:
    """Write `options` (with their milestone impacts) as `change`'s options of `revision`, in order."""
    created = []
    for position, option in enumerate(options, start=1):
        row = ChangeOption.objects.create(
            change=change,
            revision=revision,
            position=position,
            label=option.label.strip(),
            description=option.description.strip(),
            cost_impact=option.cost_impact.strip(),
            quality_impact=option.quality_impact.strip(),
            regulatory_impact=option.regulatory_impact.strip(),
        )
        MilestoneImpact.objects.bulk_create(
            MilestoneImpact(option=row, milestone=milestone, days=days)
            for milestone, days in option.milestones
        )
        created.append(row)
    return created


STALE_DECISION = "This change request was edited since you opened it; review the new version, then sign."


def _locked_open(access: ProjectAccess, change: ChangeRequest, version: int | None = None) -> ChangeRequest:
    _require(
        permissions.can_decide_change(access),
        "Only the sponsor's project lead or decision-maker decides a change request.",
    )
    require_same_project(access, change.project_id)
    current = (
        ChangeRequest.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=change.pk)
    )
    if current.status in (ChangeStatus.APPROVED, ChangeStatus.REJECTED):
        raise ServiceError(
            f"{current.decided_by} already decided this change on "
            f"{timezone.localtime(current.decided_at):%-d %b %Y}."
        )
    if not current.is_open:
        raise ServiceError("This change request was withdrawn; there is nothing to decide.")
    if version is not None and current.version != version:
        raise ServiceError(STALE_DECISION)
    return current


def _rebaseline(access: ProjectAccess, change: ChangeRequest, option: ChangeOption, now) -> None:
    impacts = list(option.impacts.all())
    locked = Milestone.objects.select_for_update().in_bulk([i.milestone_id for i in impacts])
    for impact in impacts:
        milestone = locked[impact.milestone_id]
        if not milestone.is_open:
            raise ServiceError(
                f"“{milestone.title}” is {milestone.get_status_display().lower()} now; its baseline no "
                "longer moves. Reject this change and raise it again without that milestone."
            )
        delta = datetime.timedelta(days=impact.days)
        new_baseline, new_forecast = milestone.baseline_date + delta, milestone.forecast_date + delta
        if not (date_in_window(new_baseline) and date_in_window(new_forecast)):
            raise ServiceError(
                f"Moving “{milestone.title}” by {impact.days} days leaves the dates the portal keeps."
            )
        MilestoneBaseline.objects.create(
            milestone=milestone, baseline_date=new_baseline, set_at=now, change_request=change
        )
        MilestoneForecastChange.objects.create(
            milestone=milestone,
            old_forecast_date=milestone.forecast_date,
            new_forecast_date=new_forecast,
            reason=f"Re-baselined by the approved change “{change.title}” ({option.label}).",
            changed_by=access.user,
            changed_at=now,
        )
        milestone.baseline_date, milestone.forecast_date = new_baseline, new_forecast
        milestone.version += 1
        milestone.save(update_fields=["baseline_date", "forecast_date", "version", "updated_at"])


def change_approve(
    *,
    access: ProjectAccess,
    change: ChangeRequest,
    option: ChangeOption,
    reason: str = "",
    version: int | None = None,
) -> ChangeRequest:
    """Approve one option: the change is decided and the milestones it names are re-baselined.
    `version`: the one the decider was shown; an edit since is refused (STALE_DECISION)."""
    with transaction.atomic(), audited(f"Change approved: {change.title} ({option.label})"):
        current = _locked_open(access, change, version)
        if option.change_id != current.pk or option.revision != current.revision:
            raise ServiceError("Choose one of this change request's options.")
        now = clock.now()
        current.status = ChangeStatus.APPROVED
        current.approved_option = option
        current.decided_by, current.decided_at = access.user, now
        current.decision_reason = (reason or "").strip()
        current.version += 1
        current.save()
        _rebaseline(access, current, option, now)
        settle_proposed_agreement(current, approved=True, now=now)
        enqueue_on_commit(tasks.notify_change_decided, current.pk)
    return current


def change_reject(
    *, access: ProjectAccess, change: ChangeRequest, reason: str, version: int | None = None
) -> ChangeRequest:
    """Reject the change with a reason; nothing moves (`version` as for approving)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for rejecting the change; the other side reads it.")
    with transaction.atomic(), audited(f"Change rejected: {change.title}"):
        current = _locked_open(access, change, version)
        _close_unapproved(current, ChangeStatus.REJECTED, access=access, reason=reason)
    return current


def _close_unapproved(current: ChangeRequest, status: str, *, access: ProjectAccess, reason: str) -> None:
    """Rejected or withdrawn (locked, open): who and when, the reason; a proposed agreement it
    carried is not adopted; both sides are told after commit."""
    current.status = status
    current.decided_by, current.decided_at = access.user, clock.now()
    current.decision_reason = reason
    current.version += 1
    current.save()
    settle_proposed_agreement(current, approved=False, now=current.decided_at)
    enqueue_on_commit(tasks.notify_change_decided, current.pk)


def change_withdraw(*, access: ProjectAccess, change: ChangeRequest, reason: str) -> ChangeRequest:
    """The side that raised a change takes it back, with a reason; nothing moves."""
    require_same_project(access, change.project_id)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for withdrawing the change; the other side reads it.")
    with transaction.atomic(), audited(f"Change withdrawn: {change.title}"):
        current = (
            ChangeRequest.objects.select_for_update(of=("self",))
            .select_related("decided_by")
            .get(pk=change.pk)
        )
        _require(
            permissions.can_withdraw_change(access, current) or not current.is_open,
            "Only whoever raised the change, or their side's managers, withdraw it.",
        )
        if not current.is_open:
            raise ServiceError(f"This change request is already {current.get_status_display().lower()}.")
        _close_unapproved(current, ChangeStatus.WITHDRAWN, access=access, reason=reason)
    return current
