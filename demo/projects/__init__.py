"""Demo milestones and months of status updates for the demo projects. Idempotent.

The history is replayed through the projects services, each step at the moment it happened,
inside `demo.common.replayed(at)` (the clock answers that moment; the emails and notifications
the services queue are recorded as held, never sent), by the person who did it, with the
`ProjectAccess` a page would hand the service (`projects.selectors.access_for`). Per project the
steps are planned first (`replay.Timeline`) and then run in time order:

- milestones: `milestone_create`, `milestone_change_forecast` (each move with its reason),
  `milestone_set_status`;
- status updates: `update_start` + `update_save_draft`, `attachment_add`, `update_publish`
  (which raises the decisions the draft asks for and sets when the next update is due);
  the correction: `update_correct` + `update_save_draft` + `update_publish`;
- the sponsor's side: `update_acknowledge`, `comment_post` (comments, questions, CDMO internal
  notes), `question_answer`, `decision_resolve`; the draft in progress: `update_start` +
  `update_save_draft` now.

Nothing here writes projects rows directly. A step that would lie after now (an acknowledgement
due tomorrow) is left out. What the services would refuse is planned so they accept it: a
late decision is never needed before the day it was raised, a milestone's moves come after it
was entered, and the sponsor acknowledges or discusses the current revision of a corrected
update. The bulk history of the benchmark projects (`demo.history`, `seed_demo --projects N`)
stays bulk on purpose: thousands of rows, written for speed, not replayed.

The content comes from a small library of realistic CMC sentences per modality (`content`); a
seeded random generator per project keeps every run identical. What the demo shows: mostly
green updates with amber and red episodes, a corrected update with its diff, milestones with
slips and their reasons, questions answered fast and slow, two still open (one overdue),
decisions open and decided, acknowledgements on most updates, a working agreement in force
signed by both leads at kickoff (`agreement`), one stale project (last update
20+ days ago) and a draft in progress.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from demo.projects.agreement import seed_agreement
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
from projects.models import Milestone, StatusUpdate, WorkingAgreement

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
            if not WorkingAgreement.objects.filter(project=project).exists():
                seed_agreement(project, team)
