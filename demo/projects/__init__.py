"""Demo milestones and months of status updates for the demo projects. Idempotent.

Everything is written with its historical timestamps (published last March, acknowledged two
days later...). The content comes from a small library of realistic CMC sentences per modality
(`content`); a seeded random generator per project keeps every run identical.

What the demo shows: mostly green updates with amber and red episodes, a corrected update with
its diff, milestones with slips and their reasons, questions answered fast and slow, two still
open (one overdue), decisions open and decided, acknowledgements on most updates, one stale
project (last update 20+ days ago) and a draft in progress.

Rows are written directly, not through the services (update_publish, update_correct,
update_acknowledge, comment_post, question_answer, decision_resolve, milestone_change_forecast):
those stamp `timezone.now()`, not `portal.core.clock.now()`, and the database makes the times
they stamp final (a published record, a comment, an answer time, an acknowledgement and a
decision cannot be re-dated afterwards). Once they stamp with the clock, each step here becomes
a service call inside `demo.common.replayed(at)`, as in the meetings and issues demos.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from demo.projects.content import (
    CORRECTED_PROJECT,
    DRAFT_PROJECT,
    OPEN_QUESTION_PROJECT,
    OVERDUE_QUESTION_PROJECT,
    STALE_PROJECT,
)
from demo.projects.milestones import seed_milestones
from demo.projects.team import team_of
from demo.projects.updates import seed_updates
from projects.models import Milestone, StatusUpdate

__all__ = [
    "CORRECTED_PROJECT",
    "DRAFT_PROJECT",
    "OPEN_QUESTION_PROJECT",
    "OVERDUE_QUESTION_PROJECT",
    "STALE_PROJECT",
    "seed",
]


def seed(world) -> None:
    today = timezone.localdate()
    for project in world.projects:
        team = team_of(project)
        if team is None:
            continue
        rng = random.Random(project.code)
        with transaction.atomic():
            if not Milestone.objects.filter(project=project).exists():
                seed_milestones(project, team, rng, today)
            if not StatusUpdate.objects.filter(project=project).exists():
                seed_updates(project, team, rng, today)
