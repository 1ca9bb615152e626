"""Demo service issues: every state, some within the agreed times, some breached and escalated.

Each scenario is a story told in business hours after the issue was raised.
All steps of all scenarios are replayed in time order through the real
services, each inside `demo.common.replayed(at)` (the clock answers the moment
the step happened and the work it queues is held, never sent); the issues
services also take that moment as `now=` and are told `notify=False`. The
monitoring sweep runs at the moments a deadline passed, so breaches and
escalations are exactly what the portal would have recorded.

Idempotent: a scenario whose issue already exists on its project is skipped.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demo.common import replayed
from demo.issues.scenario import Scenario
from demo.issues.scenarios_acme import ACME
from demo.issues.scenarios_portfolio import PORTFOLIO
from issues import services
from issues.models import PlanStatus, ServiceIssue
from issues.recognition import Target, credited_person
from projects.models import Project, ProjectMember, Side, TeamRole
from projects.selectors import access_for

# Replayed in this order when two steps fall on the same instant.
SCENARIOS: list[Scenario] = [*ACME, *PORTFOLIO]


def _person(project: Project, role: str):
    member = (
        ProjectMember.objects.filter(project=project, role=role, removed_at__isnull=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if member is None and role in (TeamRole.SPONSOR_MEMBER, TeamRole.DECISION_MAKER):
        return _person(project, TeamRole.SPONSOR_LEAD)
    if member is None and role in (TeamRole.SME, "cdmo_member"):
        return _person(project, TeamRole.PROJECT_MANAGER)
    return member.user if member else None


def _cdmo_person(project: Project, role: str):
    if role == "cdmo_member":
        member = (
            ProjectMember.objects.filter(
                project=project, side=Side.CDMO, role=TeamRole.CDMO_MEMBER, removed_at__isnull=True
            )
            .select_related("user")
            .first()
        )
        return member.user if member else _person(project, TeamRole.PROJECT_MANAGER)
    return _person(project, role)


def _access(project: Project, user):
    return access_for(user=user, project=project)


def seed(world) -> None:
    now = timezone.now()
    projects = {
        p.code: p
        for p in Project.objects.filter(code__in={s.project for s in SCENARIOS}).select_related(
            "sponsor", "cdmo"
        )
    }
    timeline: list[tuple[dt.datetime, int, int, str, dict]] = []
    raises: list[tuple[dt.datetime, int]] = []
    for index, scenario in enumerate(SCENARIOS):
        project = projects.get(scenario.project)
        if project is None or ServiceIssue.objects.filter(project=project, title=scenario.title).exists():
            continue
        raised_at = now - dt.timedelta(hours=scenario.hours_ago)
        raises.append((raised_at, index))
        calendar = services.calendar_for(project)
        for order, (hours, step, details) in enumerate(scenario.steps):
            at = calendar.add_business_hours(raised_at, hours)
            if at >= now:
                break  # the story has not got this far yet
            timeline.append((at, index, order, step, details))

    events = [(at, index, -1, "raise", {}) for at, index in raises] + timeline
    issues: dict[int, ServiceIssue] = {}
    for at, index, _, step, details in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        scenario = SCENARIOS[index]
        project = projects[scenario.project]
        with replayed(at):
            _step(step, details, scenario=scenario, project=project, at=at, issues=issues, index=index)

    # The monitor would have swept up to now: anything overdue is recorded.
    services.issue_mark_breaches(now=now, notify=False)


def _step(
    step: str, details: dict, *, scenario, project: Project, at: dt.datetime, issues: dict, index: int
) -> None:
    if step == "raise":
        raiser = _person(project, scenario.raiser)
        issues[index] = services.issue_raise(
            access=_access(project, raiser),
            category=scenario.category,
            severity=scenario.severity,
            title=scenario.title,
            description=scenario.description,
            impact=scenario.impact,
            desired_outcome=scenario.desired_outcome,
            now=at,
            notify=False,
        )
        return
    if step == "sweep":
        services.issue_mark_breaches(now=at, notify=False)
        return
    issue = ServiceIssue.objects.get(pk=issues[index].pk)
    _play(step, details, issue=issue, project=project, at=at)


def _play(step: str, details: dict, *, issue: ServiceIssue, project: Project, at: dt.datetime) -> None:
    pm = _person(project, TeamRole.PROJECT_MANAGER)
    lead = _person(project, TeamRole.SPONSOR_LEAD)
    decider = _person(project, TeamRole.DECISION_MAKER) if issue.raised_by_id != lead.pk else lead
    if step == "ack":
        services.issue_acknowledge(
            access=_access(project, pm), issue=issue, note=details.get("note", ""), now=at, notify=False
        )
    elif step == "plan":
        owner = _person(project, details.get("owner", TeamRole.PROJECT_MANAGER))
        target = (at + dt.timedelta(days=details["target_days"])).date()
        while target.weekday() >= 5:  # targets land on working days
            target += dt.timedelta(days=1)
        services.issue_propose_plan(
            access=_access(project, pm),
            issue=issue,
            owner=owner,
            steps=details["steps"],
            target_date=target,
            now=at,
            notify=False,
        )
    elif step in ("accept", "send_back"):
        plan = issue.plans.get(status=PlanStatus.PROPOSED)
        if step == "accept":
            services.issue_accept_plan(
                access=_access(project, lead),
                issue=issue,
                plan=plan,
                note=details.get("note", ""),
                now=at,
                notify=False,
            )
        else:
            services.issue_send_back_plan(
                access=_access(project, lead),
                issue=issue,
                plan=plan,
                note=details["note"],
                now=at,
                notify=False,
            )
    elif step == "resolve":
        services.issue_resolve(
            access=_access(project, pm), issue=issue, summary=details["summary"], now=at, notify=False
        )
    elif step == "close":
        services.issue_confirm_closed(
            access=_access(project, lead), issue=issue, note=details.get("note", ""), now=at, notify=False
        )
    elif step == "reopen":
        services.issue_reopen(
            access=_access(project, lead), issue=issue, reason=details["reason"], now=at, notify=False
        )
    elif step == "escalate":
        services.issue_escalate(issue=issue, reason=details["reason"], actor=decider, now=at, notify=False)
    elif step in ("note", "internal"):
        author = _cdmo_person(project, details.get("by", TeamRole.PROJECT_MANAGER))
        services.issue_add_note(
            access=_access(project, author),
            issue=issue,
            text=details["text"],
            internal=step == "internal",
            now=at,
            notify=False,
        )
    elif step == "kudos":
        target = Target(label="issues.serviceissue", obj=issue)
        services.recognition_give(
            access=_access(project, lead),
            target=target,
            recipient=credited_person(target, cdmo_id=project.cdmo_id),
            note=details["note"],
            now=at,
            notify=False,
        )
    else:  # pragma: no cover - a typo in a scenario
        raise ValueError(f"Unknown demo step {step!r}")
