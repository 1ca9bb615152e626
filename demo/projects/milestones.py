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
from demo.projects.team import Team
from projects.models import (
    Milestone,
    MilestoneForecastChange,
    MilestoneStatus,
    Modality,
    Project,
    ProjectStatus,
)

# --- Milestones -------------------------------------------------------------


def seed_milestones(project: Project, team: Team, rng: random.Random, today: datetime.date) -> None:
    plan = PLANS.get(project.modality, PLANS[Modality.SMALL_MOLECULE])
    zone = project.cdmo.time_zone or "UTC"
    stopped = project.status != ProjectStatus.ACTIVE
    overdue_made = False
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
        milestone = Milestone.objects.create(
            project=project,
            kind=kind,
            title=title,
            owner=owner,
            baseline_date=baseline,
            forecast_date=forecast,
            actual_date=actual,
            status=status,
            notes="",
            created_at=at_local(project.start_date, 10, 0, zone),
        )
        if slip:
            forecast_history(milestone, team, rng, baseline, slip, today, zone, index)


def forecast_history(milestone, team, rng, baseline, slip, today, zone, index) -> None:
    """One or two recorded moves from the baseline to today's forecast, each with its reason."""
    steps = [slip] if abs(slip) < 9 or index % 2 else [slip // 2, slip]
    previous = baseline
    for number, total in enumerate(steps):
        new = baseline + datetime.timedelta(days=total)
        if new == previous:
            continue
        # At the latest yesterday: a morning change dated today could still lie ahead of now.
        changed_on = min(
            today - datetime.timedelta(days=1),
            previous - datetime.timedelta(days=rng.randint(6, 20) - number * 3),
        )
        changed_on = max(changed_on, milestone.project.start_date)
        reason = rng.choice(EARLY_REASONS if total < 0 else SLIP_REASONS)
        MilestoneForecastChange.objects.create(
            milestone=milestone,
            old_forecast_date=previous,
            new_forecast_date=new,
            reason=reason,
            changed_by=team.pm,
            changed_at=at_local(changed_on, 9 + number * 2, 15, zone),
        )
        previous = new
