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
from oversight.monitoring.models import Flag, FlagKind, Severity
from oversight.monitoring.rules import MINUTES_BUSINESS_DAYS, UPDATE_GRACE_DAYS
from oversight.monitoring.services import sweep
from projects.models import CommentKind, Milestone, ProjectStatus, UpdateComment

_DAY = dt.timedelta(days=1)


def _on(day: dt.date) -> dt.datetime:
    """A sweep in the morning of `day` (UTC) would have raised it."""
    return dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.UTC)


# When a sweep running all along would have raised each kind, from its subject. Kinds missing
# here (no decision-maker, no contact...) stay dated today.
_CONDITION_BEGAN = {
    FlagKind.STALE_UPDATE: lambda p: (
        p.next_update_due and _on(p.next_update_due + (UPDATE_GRACE_DAYS + 1) * _DAY)
    ),
    FlagKind.QUESTION_UNANSWERED: lambda q: q.respond_by,
    FlagKind.ACTION_ITEM_OVERDUE: lambda a: _on(a.due_date + _DAY),
    FlagKind.MILESTONE_PAST_DUE: lambda m: _on(m.forecast_date + _DAY),
    FlagKind.MILESTONE_SLIP: lambda m: max((c.changed_at for c in m.forecast_changes.all()), default=None),
    FlagKind.MINUTES_NOT_SENT: lambda m: m.ends_at + (MINUTES_BUSINESS_DAYS + 1) * _DAY,
    FlagKind.MINUTES_NOT_CONFIRMED: lambda m: m.minutes_sent_at + (MINUTES_BUSINESS_DAYS + 1) * _DAY,
    FlagKind.ISSUE_ACK_BREACH: lambda i: i.acknowledge_by,
    FlagKind.ISSUE_PLAN_BREACH: lambda i: i.plan_by,
    FlagKind.CHANGE_PAST_NEEDED_BY: lambda c: _on(c.needed_by + _DAY),
    FlagKind.DECISION_PAST_NEEDED_BY: lambda d: _on(d.needed_by + _DAY),
}


def seed(world) -> None:
    now = timezone.now()
    if not Flag.objects.filter(raised_at__lt=now - dt.timedelta(days=7)).exists():
        _history(world, now)
    sweep(now=now, notify=False)
    _date_todays_findings(now)
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


def _date_todays_findings(now: dt.datetime) -> None:
    """Today's sweep finds conditions that began days or weeks ago; on a live portal the sweep,
    running every 15 minutes, would have raised each one then. Date them so, or the 12-week
    trend would show everything going wrong on the day the demo was seeded."""
    earliest = now - dt.timedelta(weeks=11)
    for flag in Flag.objects.filter(raised_at=now, cleared_at__isnull=True).prefetch_related("subject"):
        began = _CONDITION_BEGAN.get(flag.kind)
        when = began(flag.subject) if began and flag.subject is not None else None
        if when is not None and when < now:
            Flag.objects.filter(pk=flag.pk).update(raised_at=max(when, earliest), last_notified_at=now)
