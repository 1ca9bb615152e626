"""Demo milestones: baselines per modality, some slipping with the recorded reasons, one overdue."""

from __future__ import annotations

import datetime
import random

from demo.common import at_local
from demo.projects.content import (
    EARLY_REASONS,
    PLANS,
    SLIP_REASONS,
    K,
)
from demo.projects.replay import Timeline
from demo.projects.team import Team
from projects.models import (
    MilestoneStatus,
    Modality,
    Project,
    ProjectStatus,
)
from projects.services import milestone_change_forecast, milestone_create, milestone_set_status

# --- Milestones -------------------------------------------------------------


def seed_milestones(project: Project, team: Team, rng: random.Random, today: datetime.date) -> None:
    plan = PLANS.get(project.modality, PLANS[Modality.SMALL_MOLECULE])
    zone = project.cdmo.time_zone or "UTC"
    stopped = project.status != ProjectStatus.ACTIVE
    overdue_made = False
    timeline = Timeline(project)
    for index, (kind, title, offset) in enumerate(plan):
        baseline = project.start_date + datetime.timedelta(days=offset)
        roll = rng.random()
        slip = (
            0 if roll < 0.45 else rng.choice([3, 5, 7, 9, 12, 16, 21]) if roll < 0.92 else -rng.choice([2, 4])
        )
        owner = team.sme if kind in (K.RELEASE, K.STABILITY_PULL) and team.sme else team.pm
        forecast = baseline + datetime.timedelta(days=slip)
        if forecast < today - datetime.timedelta(days=3):
            status, actual = MilestoneStatus.DONE, forecast
            if (
                not overdue_made
                and project.code == "NRD-322"
                and today - forecast < datetime.timedelta(days=30)
            ):
                # Past its forecast and still not done: what the red-flag worker will catch.
                status, actual, overdue_made = MilestoneStatus.IN_PROGRESS, None, True
        elif stopped:
            status, actual = (
                MilestoneStatus.CANCELLED
                if project.status == ProjectStatus.CLOSED
                else MilestoneStatus.PLANNED,
                None,
            )
        else:
            soon = forecast - today < datetime.timedelta(days=35)
            status = (
                MilestoneStatus.AT_RISK
                if slip >= 16 and soon
                else MilestoneStatus.IN_PROGRESS
                if soon
                else MilestoneStatus.PLANNED
            )
            actual = None
        created_at = at_local(project.start_date, 10, 0, zone)
        moves = forecast_moves(project, rng, baseline, slip, today, zone, index)
        _plan_milestone(
            timeline,
            team.pm,
            {"kind": kind, "title": title, "owner": owner, "baseline_date": baseline, "notes": ""},
            created_at,
            zone,
            moves,
            (status, actual),
        )
    timeline.replay()


def _plan_milestone(timeline: Timeline, pm, fields: dict, created_at, zone, moves, outcome) -> None:
    """Created with the project, its forecast moved with reasons, then its status set.

    The steps of one milestone stay in this order: a step dated before the one it follows
    (a move recorded on the project's first morning, before the plan was entered) happens
    right after it instead.
    """
    access = timeline.access(pm)
    made = {}
    status, actual = outcome

    def create():
        made["milestone"] = milestone_create(access=access, **fields)

    def move(new_date, reason):
        milestone = made["milestone"]
        milestone_change_forecast(
            access=access, milestone=milestone, new_date=new_date, reason=reason, version=milestone.version
        )

    def set_status():
        milestone = made["milestone"]
        milestone_set_status(
            access=access, milestone=milestone, status=status, actual_date=actual, version=milestone.version
        )
        milestone.refresh_from_db(fields=["version"])

    timeline.at(created_at, create)
    last = created_at
    for changed_at, new_date, reason in moves:
        last = max(changed_at, last + datetime.timedelta(minutes=5))
        timeline.at(last, lambda new_date=new_date, reason=reason: move(new_date, reason))
    if status != MilestoneStatus.PLANNED:
        if actual is not None:
            at = at_local(actual, 17, 0, zone)  # marked done at the end of that day
        else:
            at = last + datetime.timedelta(hours=1)
        timeline.at(max(at, last + datetime.timedelta(minutes=5)), set_status)


def forecast_moves(project, rng, baseline, slip, today, zone, index) -> list[tuple]:
    """One or two recorded moves from the baseline to today's forecast, each with its reason."""
    if not slip:
        return []
    steps = [slip] if abs(slip) < 9 or index % 2 else [slip // 2, slip]
    previous = baseline
    moves = []
    for number, total in enumerate(steps):
        new = baseline + datetime.timedelta(days=total)
        if new == previous:
            continue
        # At the latest yesterday: a morning change dated today could still lie ahead of now.
        changed_on = min(
            today - datetime.timedelta(days=1),
            previous - datetime.timedelta(days=rng.randint(6, 20) - number * 3),
        )
        changed_on = max(changed_on, project.start_date)
        reason = rng.choice(EARLY_REASONS if total < 0 else SLIP_REASONS)
        moves.append((at_local(changed_on, 9 + number * 2, 15, zone), new, reason))
        previous = new
    return moves
