"""The sweep: evaluate every rule and bring the flags in line with what is true now."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from issues.models import ServiceIssue
from issues.services import issue_mark_breaches
from portal.core.audit import audited

from .attention import refresh_all_attention, refresh_attention
from .models import Flag, FlagKind
from .notices import send_flag_notices
from .rules import RULES, Rule

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    raised: list[int] = field(default_factory=list)
    cleared: int = 0
    refreshed: int = 0
    skipped_rules: list[str] = field(default_factory=list)
    notices: int = 0


def _try_lock(key: str) -> bool:
    # Two sweeps at once (two beat processes, a manual run) must not fight over
    # the same rule: the second one skips it; the first one's result stands.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [f"monitoring.rule:{key}"])
        return cursor.fetchone()[0]


def _wait_for_lock(key: str) -> bool:
    # A re-evaluation of a few projects waits for a sweep of the same rule to commit (a moment),
    # so that it never reads before the sweep writes what it read before the change.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"monitoring.rule:{key}"])
    return True


def _reason(rule: Rule) -> str:
    # The audit trail names the rule in words ("Monitoring: Action item overdue").
    label = dict(FlagKind.choices).get(rule.kind, str(rule.kind).replace("_", " "))
    return f"Monitoring: {label}"


def apply_rule(*, rule: Rule, now: dt.datetime, result: SweepResult, project_ids=None) -> None:
    """Raise, refresh and clear the flags of one rule, in one short transaction: for every
    project (the sweep), or only for `project_ids` (after their data changed).

    A constant number of queries whatever the number of projects: one (or two)
    for the findings, one for the open flags, one each to clear, raise and refresh, and two to
    refresh the attention figures of the projects whose flags changed.
    """
    with transaction.atomic(), audited(_reason(rule)):
        locked = _try_lock(rule.kind) if project_ids is None else _wait_for_lock(rule.kind)
        if not locked:
            result.skipped_rules.append(rule.kind)
            return
        findings = {finding.subject_id: finding for finding in rule.findings(now, project_ids)}
        open_flags = Flag.objects.filter(kind=rule.kind, cleared_at__isnull=True)
        if project_ids is not None:
            open_flags = open_flags.filter(project_id__in=list(project_ids))
        # Only the columns compared: tens of thousands of open flags at 10,000 projects, and
        # building a model instance (three timestamps each) per flag cost more than the rule.
        open_flags = {
            row.subject_id: row
            for row in open_flags.values_list(
                "pk", "subject_id", "project_id", "explanation", "severity", named=True
            )
        }

        gone = [flag for subject_id, flag in open_flags.items() if subject_id not in findings]
        if gone:
            result.cleared += Flag.objects.filter(
                pk__in=[flag.pk for flag in gone], cleared_at__isnull=True
            ).update(cleared_at=now)

        subject_type = rule.subject_type()
        new = [
            Flag(
                kind=rule.kind,
                project_id=finding.project_id,
                subject_type=subject_type,
                subject_id=subject_id,
                severity=finding.severity,
                explanation=finding.explanation[:400],
                raised_at=now,
            )
            for subject_id, finding in findings.items()
            if subject_id not in open_flags
        ]
        if new:
            # The partial unique index is the final word: a flag raised meanwhile stays the only one.
            Flag.objects.bulk_create(new, ignore_conflicts=True)
            result.raised += list(
                Flag.objects.filter(kind=rule.kind, cleared_at__isnull=True, raised_at=now).values_list(
                    "pk", flat=True
                )
            )

        changed = [
            Flag(
                pk=flag.pk,
                project_id=flag.project_id,
                explanation=finding.explanation[:400],
                severity=finding.severity,
            )
            for subject_id, flag in open_flags.items()
            if (finding := findings.get(subject_id))
            and (flag.explanation, flag.severity) != (finding.explanation[:400], finding.severity)
        ]
        if changed:
            Flag.objects.bulk_update(changed, ["explanation", "severity"])
            result.refreshed += len(changed)
        # The dashboard's figures count open flags by severity: they follow in this transaction.
        refresh_attention(project_ids={flag.project_id for flag in (*gone, *new, *changed)})


def mark_breaches(*, now: dt.datetime) -> int:
    """Record (and escalate) every breached service-issue deadline; the attention figures of the
    projects concerned follow in the same transaction (the breaches are written by UPDATE, so no
    save tells the listeners). Set-based: a few queries however many breaches."""
    with transaction.atomic():
        breaches = issue_mark_breaches(now=now)
        issues = ServiceIssue.objects.filter(pk__in=[breach.issue_id for breach in breaches])
        refresh_attention(project_ids=issues.values_list("project_id", flat=True) if breaches else ())
    return len(breaches)


def sweep(
    *, now: dt.datetime | None = None, rules: list[Rule] | None = None, notify: bool = True
) -> SweepResult:
    """Evaluate every rule. Each rule commits on its own, so a sweep that dies
    half-way leaves consistent flags, and the next sweep finishes the job."""
    now = now or timezone.now()
    result = SweepResult()
    # Breached service-issue deadlines are recorded and escalated first (one rung per breach,
    # once: the service is set-based and idempotent); the breach rules then flag what is still late.
    mark_breaches(now=now)
    for rule in rules if rules is not None else RULES:
        apply_rule(rule=rule, now=now, result=result)
    # The safety net of the attention figures: whatever a write may have left behind.
    refresh_all_attention()
    if notify:
        result.notices = send_flag_notices(now=now)
    _log("Sweep", now, result)
    return result


def recheck_projects(*, project_ids, now: dt.datetime | None = None) -> SweepResult:
    """Evaluate every rule for these projects only, with the sweep's own set-based queries
    narrowed to them: run after a project's monitored data changed, so its flags say what the
    data says now rather than after the next sweep. Idempotent; announcing new flags is left to
    the notice step (every minute), which sends each notice once."""
    now = now or timezone.now()
    project_ids = sorted(set(project_ids))
    result = SweepResult()
    for rule in RULES:
        apply_rule(rule=rule, now=now, result=result, project_ids=project_ids)
    _log(f"Re-evaluation of projects {project_ids}", now, result)
    return result


def _log(what: str, now: dt.datetime, result: SweepResult) -> None:
    logger.info(
        "%s at %s: %d raised, %d cleared, %d refreshed",
        what,
        now.isoformat(),
        len(result.raised),
        result.cleared,
        result.refreshed,
    )
