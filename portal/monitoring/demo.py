"""Demo data for monitoring: twelve weeks of flags that came and went, then today's sweep.

The rules only see the present, so the past is written as it would have been
recorded: flags raised and later cleared on the demo projects' own objects.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from meetings.models import ActionItem
from projects.models import CommentKind, Milestone, ProjectStatus, UpdateComment

from .models import Flag, FlagKind, Severity
from .services import sweep


def seed(world) -> None:
    now = timezone.now()
    if not Flag.objects.filter(raised_at__lt=now - dt.timedelta(days=7)).exists():
        _history(world, now)
    sweep(now=now, notify=False)
    # The demo's open flags count as already announced: no flood of emails on first start.
    Flag.objects.filter(cleared_at__isnull=True, last_notified_at__isnull=True).update(last_notified_at=now)


def _history(world, now: dt.datetime) -> None:
    types = {
        model: ContentType.objects.get_for_model(model) for model in (Milestone, ActionItem, UpdateComment)
    }
    flags = []
    for project in world.projects:
        if project.status != ProjectStatus.ACTIVE:
            continue
        rng = random.Random(project.pk * 7919)
        candidates = [
            (
                FlagKind.STALE_UPDATE,
                project,
                "No update published for {d} days; the agreed cadence is {c} days.",
            ),
            *[
                (FlagKind.MILESTONE_SLIP, m, "“{t}” is forecast {d} days after its contracted baseline.")
                for m in Milestone.objects.filter(project=project)[:3]
            ],
            *[
                (FlagKind.ACTION_ITEM_OVERDUE, a, "Action “{t}” was due {d} days ago.")
                for a in ActionItem.objects.filter(project=project, status="done")[:3]
            ],
            *[
                (
                    FlagKind.QUESTION_UNANSWERED,
                    q,
                    "A sponsor question has waited {d} days for an answer; the agreed response time is 2 days.",
                )
                for q in UpdateComment.objects.filter(
                    update__project=project, kind=CommentKind.QUESTION, answered_at__isnull=False
                )[:3]
            ],
        ]
        for weeks_ago in range(12, 0, -1):
            if rng.random() > 0.3:
                continue
            kind, subject, text = rng.choice(candidates)
            raised = now - dt.timedelta(weeks=weeks_ago, hours=rng.randint(0, 96))
            flags.append(
                Flag(
                    kind=kind,
                    project=project,
                    subject_type=ContentType.objects.get_for_model(project)
                    if subject is project
                    else types[type(subject)],
                    subject_id=subject.pk,
                    severity=Severity.WARNING,
                    explanation=text.format(
                        d=rng.randint(3, 12), c=project.update_cadence_days, t=getattr(subject, "title", "")
                    ),
                    raised_at=raised,
                    cleared_at=raised + dt.timedelta(days=rng.randint(1, 6)),
                    last_notified_at=raised,
                )
            )
    Flag.objects.bulk_create(flags)
