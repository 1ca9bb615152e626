"""The service-issue workflow: which step is allowed from which status, and for whom.

`TRANSITIONS` is the single source of truth: services refuse anything not in
it, templates offer only what it allows, tests walk every pair.

Reopening sends an issue back to **acknowledged**, not to open: the CDMO
already knows about the problem, so the acknowledgement clock does not start
again; what the sponsor needs is a new resolution plan, so the plan clock
restarts from the agreed plan time. Sending a plan back does the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models

from projects.selectors import ProjectAccess

from . import permissions
from .models import IssueStatus, ServiceIssue, Severity

S = IssueStatus


class Action(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    PROPOSE_PLAN = "propose_plan", "Propose a resolution plan"
    ACCEPT_PLAN = "accept_plan", "Accept the plan"
    SEND_BACK_PLAN = "send_back_plan", "Send the plan back"
    RESOLVE = "resolve", "Mark resolved"
    CONFIRM_CLOSED = "confirm_closed", "Confirm resolved and close"
    REOPEN = "reopen", "Reopen"
    ESCALATE = "escalate", "Escalate"


# action -> {from status: to status}
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.ACKNOWLEDGE: {S.OPEN: S.ACKNOWLEDGED},
    Action.PROPOSE_PLAN: {S.ACKNOWLEDGED: S.PLAN_PROPOSED},
    Action.ACCEPT_PLAN: {S.PLAN_PROPOSED: S.PLAN_ACCEPTED},
    Action.SEND_BACK_PLAN: {S.PLAN_PROPOSED: S.ACKNOWLEDGED},
    Action.RESOLVE: {S.PLAN_ACCEPTED: S.RESOLVED},
    Action.CONFIRM_CLOSED: {S.RESOLVED: S.CLOSED},
    Action.REOPEN: {S.RESOLVED: S.ACKNOWLEDGED, S.CLOSED: S.ACKNOWLEDGED},
    # Escalation climbs the ladder; the status stays where it is.
    Action.ESCALATE: {s: s for s in (S.OPEN, S.ACKNOWLEDGED, S.PLAN_PROPOSED, S.PLAN_ACCEPTED)},
}

# The CDMO takes these steps; the sponsor takes every other one.
CDMO_ACTIONS = frozenset({Action.ACKNOWLEDGE, Action.PROPOSE_PLAN, Action.RESOLVE})

_CLOSED_FOR_SPONSOR = "This issue is already closed; reopen it first."
_CLOSED_FOR_CDMO = "This issue is already closed; only the sponsor can reopen it."

_REFUSALS: dict[tuple[str, str], str] = {
    (Action.ACKNOWLEDGE, "*"): "This issue was already acknowledged.",
    (Action.PROPOSE_PLAN, S.OPEN): "Acknowledge the issue before proposing a resolution plan.",
    (Action.PROPOSE_PLAN, S.PLAN_PROPOSED): "A resolution plan is already waiting for the sponsor's answer.",
    (
        Action.PROPOSE_PLAN,
        S.PLAN_ACCEPTED,
    ): "The sponsor already accepted a resolution plan; resolve the issue when it is done.",
    (
        Action.PROPOSE_PLAN,
        S.RESOLVED,
    ): "This issue is resolved; the sponsor can reopen it if the problem is not fixed.",
    (Action.ACCEPT_PLAN, "*"): "There is no resolution plan waiting for an answer.",
    (Action.SEND_BACK_PLAN, "*"): "There is no resolution plan waiting for an answer.",
    (Action.RESOLVE, S.RESOLVED): "This issue is already resolved.",
    (Action.RESOLVE, "*"): "The sponsor has to accept a resolution plan before the issue can be resolved.",
    (Action.CONFIRM_CLOSED, "*"): "Only a resolved issue can be confirmed and closed.",
    (
        Action.REOPEN,
        "*",
    ): "This issue is still being worked on; only a resolved or closed issue can be reopened.",
    (
        Action.ESCALATE,
        S.RESOLVED,
    ): "This issue is resolved; reopen it if the problem is not fixed, then escalate.",
}


def target_status(action: str, status: str) -> str | None:
    """The status `action` leads to from `status`, or None if the step is not allowed."""
    return TRANSITIONS[action].get(status)


def refusal(action: str, status: str) -> str:
    """Why `action` is refused from `status`, in words the person can act on."""
    if status == S.CLOSED and action != Action.REOPEN:
        return _CLOSED_FOR_CDMO if action in CDMO_ACTIONS else _CLOSED_FOR_SPONSOR
    message = _REFUSALS.get((action, status)) or _REFUSALS.get((action, "*"))
    if message:
        return message
    return f"You cannot {Action(action).label.lower()} an issue that is {IssueStatus(status).label.lower()}."


# Who may take which step: the step's side, then the rule in permissions.py ----


def may(access: ProjectAccess, issue: ServiceIssue, action: str) -> bool:
    """Whether this person's role allows `action` on `issue` (regardless of status)."""
    if action in CDMO_ACTIONS:
        return permissions.can_respond(access)
    return permissions.can_decide(access, issue)


def role_refusal(action: str) -> str:
    if action in CDMO_ACTIONS:
        return "Only the CDMO project manager or CDMO management can do this."
    return "Only the person who raised the issue, the sponsor lead, the decision-maker or sponsor management can do this."


def available_actions(access: ProjectAccess, issue: ServiceIssue) -> list[str]:
    """Actions this person can take on the issue now (role and status), in display order."""
    return [
        action
        for action in Action
        if target_status(action, issue.status) is not None
        and may(access, issue, action)
        and not (action == Action.ESCALATE and issue.escalation_level >= 2)
    ]


# How an issue shows: badge styles and what it is waiting for -------------------

SEVERITY_BADGES: dict[str, str] = {
    Severity.CRITICAL: "badge-red",
    Severity.MAJOR: "badge-amber",
    Severity.MINOR: "",
}

STATUS_BADGES: dict[str, str] = {
    S.OPEN: "badge-amber",
    S.ACKNOWLEDGED: "badge-blue",
    S.PLAN_PROPOSED: "badge-blue",
    S.PLAN_ACCEPTED: "badge-blue",
    S.RESOLVED: "badge-green",
    S.CLOSED: "badge-closed",
}

# What the issue waits for, in one sentence; "{cdmo}" is the CDMO's name.
WAITING_FOR: dict[str, str] = {
    S.OPEN: "Waiting for {cdmo} to acknowledge.",
    S.ACKNOWLEDGED: "Waiting for {cdmo} to propose a resolution plan.",
    S.PLAN_PROPOSED: "Waiting for the sponsor to accept the plan or send it back.",
    S.PLAN_ACCEPTED: "{cdmo} is carrying out the plan.",
    S.RESOLVED: "Waiting for the sponsor to confirm the resolution.",
    S.CLOSED: "Closed.",
}


@dataclass(frozen=True)
class NextStep:
    """What an issue waits for next, for the lists: a running clock, a plan's target, or a sentence."""

    text: str = ""
    deadline: dt.datetime | None = None  # a clock runs: the list shows a countdown to it
    deadline_label: str = ""  # "Acknowledgement by", "Resolution plan by"
    target_date: dt.date | None = None  # the accepted plan's target
    target_passed: bool = False
    closed: bool = False
    closed_at: dt.datetime | None = None


def next_step(issue: ServiceIssue, today: dt.date) -> NextStep:
    """The next deadline of `issue` (its accepted plan's target read as `plan_target`)."""
    if issue.status == S.OPEN:
        return NextStep(deadline=issue.acknowledge_by, deadline_label="Acknowledgement by")
    if issue.status == S.ACKNOWLEDGED:
        return NextStep(deadline=issue.plan_by, deadline_label="Resolution plan by")
    if issue.status == S.PLAN_PROPOSED:
        return NextStep(text="Plan waiting for the sponsor")
    if issue.status == S.PLAN_ACCEPTED:
        target = issue.plan_target
        return NextStep(
            text="Plan in progress", target_date=target, target_passed=bool(target and target < today)
        )
    if issue.status == S.RESOLVED:
        return NextStep(text="Waiting for the sponsor to confirm")
    return NextStep(text="Closed", closed=True, closed_at=issue.closed_at)
