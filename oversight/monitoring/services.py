"""The sweeps: evaluate the rules and bring the flags in line with what is true now.

`sweep_due`, every quarter of an hour, evaluates only the projects whose flags could have changed
with time alone since their last evaluation (`ProjectCheck.check_at`, checks.py): changes to the
data re-evaluate their project at once (`recheck_projects`, listeners.py), so time passing is all
it must catch, and its work follows what came due, not the number of projects. `sweep`, nightly,
is the reconciliation: every rule over every project, every stored figure and moment recomputed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from issues.models import ServiceIssue
from issues.services import issue_mark_breaches
from portal.core.audit import audited
from portal.core.events import DomainEvent, emit_many

from .attention import refresh_all_attention, refresh_attention
from .checks import due_projects, reconcile_checks, store_checks
from .models import Flag, FlagKind
from .notices import send_flag_notices
from .rules import RULES, Rule

logger = logging.getLogger(__name__)
# Projects evaluated per transaction of each rule when many are due at once.
BATCH = 1000


@dataclass
class SweepResult:
    raised: list[int] = field(default_factory=list)
    cleared: int = 0
    refreshed: int = 0
    skipped_rules: list[str] = field(default_factory=list)
    notices: int = 0
    evaluated: int | None = None  # projects evaluated (None: all of them)


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
            emit_many(
                DomainEvent("flag.cleared", flag.project_id, Flag._meta.label, flag.pk, occurred_at=now)
                for flag in gone
            )

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
            raised = Flag.objects.filter(kind=rule.kind, cleared_at__isnull=True, raised_at=now)
            raised = list(raised.values_list("pk", "project_id"))
            result.raised += [pk for pk, _project_id in raised]
            emit_many(
                DomainEvent("flag.raised", project_id, Flag._meta.label, pk, occurred_at=now)
                for pk, project_id in raised
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
    return len(_record_breaches(now)[0])


def _record_breaches(now: dt.datetime) -> tuple[list, set[int]]:
    """(the breaches, the ids of their projects)."""
    with transaction.atomic():
        breaches = issue_mark_breaches(now=now)
        if not breaches:
            return breaches, set()
        issues = ServiceIssue.objects.filter(pk__in=[breach.issue_id for breach in breaches])
        project_ids = set(issues.values_list("project_id", flat=True))
        refresh_attention(project_ids=project_ids)
    return breaches, project_ids


def sweep(
    *, now: dt.datetime | None = None, rules: list[Rule] | None = None, notify: bool = True
) -> SweepResult:
    """The reconciliation: evaluate every rule over every project. Each rule commits on its own,
    so a sweep that dies half-way leaves consistent flags, and the next sweep finishes the job.
    Then the safety nets: every project's attention figures and next moment, recomputed."""
    now = now or timezone.now()
    result = SweepResult()
    # Breached service-issue deadlines are recorded and escalated first (one rung per breach,
    # once: the service is set-based and idempotent); the breach rules then flag what is still late.
    mark_breaches(now=now)
    for rule in rules if rules is not None else RULES:
        apply_rule(rule=rule, now=now, result=result)
    # The safety net of the attention figures: whatever a write may have left behind.
    refresh_all_attention()
    reconcile_checks(now=now)
    if notify:
        result.notices = send_flag_notices(now=now)
    _log("Sweep", now, result)
    return result


def sweep_due(*, now: dt.datetime | None = None, notify: bool = True) -> SweepResult:
    """The quarter-hourly sweep: every rule over the projects whose moment came (and those whose
    service issues it records a breach of), `BATCH` projects at a time; then their next moments.

    It can follow time alone only while changes re-evaluate their project: with that off
    (MONITORING_RECHECK_ON_CHANGE), it is the full `sweep`."""
    if not settings.MONITORING_RECHECK_ON_CHANGE:
        return sweep(now=now, notify=notify)
    now = now or timezone.now()
    result = SweepResult()
    # An escalation a breach records changes the explanation of the breach flag.
    breached = _record_breaches(now)[1]
    due = sorted(set(due_projects(now)) | breached)
    for i in range(0, len(due), BATCH):
        _evaluate(due[i : i + BATCH], now, result)
    result.evaluated = len(due)
    if notify:
        result.notices = send_flag_notices(now=now)
    _log(f"Sweep of {len(due)} projects due", now, result)
    return result


def recheck_projects(*, project_ids, now: dt.datetime | None = None) -> SweepResult:
    """Evaluate every rule for these projects only, with the sweep's own set-based queries
    narrowed to them: run after a project's monitored data changed, so its flags say what the
    data says now rather than after the next sweep. Idempotent; announcing new flags is left to
    the notice step (every minute), which sends each notice once."""
    now = now or timezone.now()
    project_ids = sorted(set(project_ids))
    result = SweepResult(evaluated=len(project_ids))
    _evaluate(project_ids, now, result)
    _log(f"Re-evaluation of projects {project_ids}", now, result)
    return result


def _evaluate(project_ids: list[int], now: dt.datetime, result: SweepResult) -> None:
    """Every rule over these projects, then their next moments."""
    for rule in RULES:
        apply_rule(rule=rule, now=now, result=result, project_ids=project_ids)
    store_checks(now=now, project_ids=project_ids)


def _log(what: str, now: dt.datetime, result: SweepResult) -> None:
    logger.info(
        "%s at %s: %d raised, %d cleared, %d refreshed",
        what,
        now.isoformat(),
        len(result.raised),
        result.cleared,
        result.refreshed,
    )
