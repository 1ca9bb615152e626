"""Writes for the service-issue log. One function per step of the workflow.

Every step:
- checks the person's role (`NotAllowed`) and, under a row lock, that the
  transition table allows it from the issue's *current* status (`ServiceError`),
  so two people clicking at once never both succeed;
- writes exactly one `IssueEvent` on the timeline;
- queues its email after the transaction commits (`notify=False` for imports
  and demo data, which also pass `now` to record when the step happened).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.core.audit import audited
from portal.core.business_time import BusinessCalendar, describe_business_hours
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from projects.models import Project, ProjectMember, Side
from projects.selectors import ProjectAccess, access_for, projects_visible_to

from . import workflow
from .attachments import MAX_FILES_PER_UPLOAD, check_upload
from .models import (
    AWAITING_PLAN,
    ESCALATION_PHRASES,
    Category,
    EscalationLevel,
    EventKind,
    IssueEvent,
    IssueStatus,
    PlanStatus,
    Recognition,
    ResolutionPlan,
    ResponseTimeAgreement,
    ServiceIssue,
    ServiceIssueAttachment,
    Severity,
)
from .recognition import Target, project_id_of, target_ready_for_recognition
from .selectors import agreed_times_for
from .workflow import Action

logger = logging.getLogger(__name__)

MAX_LEVEL = max(EscalationLevel)


def calendar_for(project: Project) -> BusinessCalendar:
    """Deadlines are counted in the CDMO site's business time."""
    return BusinessCalendar.for_organization(project.cdmo)


# Events -------------------------------------------------------------------------


def _record(
    *,
    issue: ServiceIssue,
    kind: str,
    actor: User | None,
    summary: str,
    now: dt.datetime,
    note: str = "",
    internal: bool = False,
    data: dict | None = None,
    notify: bool = True,
) -> IssueEvent:
    event = IssueEvent.objects.create(
        issue=issue,
        project_id=issue.project_id,
        kind=kind,
        actor=actor,
        at=now,
        summary=summary[:200],
        note=note,
        is_internal=internal,
        data=data or {},
    )
    if notify and not internal:
        from .tasks import send_issue_event_emails

        enqueue_on_commit(send_issue_event_emails, event.pk)
    return event


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# Transitions ----------------------------------------------------------------------


def _lock_for(*, issue: ServiceIssue, action: str, access: ProjectAccess | None) -> tuple[ServiceIssue, str]:
    """Lock the issue row, check the role and the transition; returns (locked issue, new status)."""
    if access is not None and not workflow.may(access, issue, action):
        raise NotAllowed(workflow.role_refusal(action))
    locked = ServiceIssue.objects.select_for_update().select_related("project__cdmo").get(pk=issue.pk)
    new_status = workflow.target_status(action, locked.status)
    if new_status is None:
        raise ServiceError(workflow.refusal(action, locked.status))
    return locked, new_status


def _save(issue: ServiceIssue, *fields: str) -> None:
    issue.version = F("version") + 1
    issue.save(update_fields=[*fields, "version", "updated_at"])
    issue.refresh_from_db(fields=["version"])


def _check_access(access: ProjectAccess, issue: ServiceIssue) -> None:
    if access.project.pk != issue.project_id:
        raise NotAllowed("This issue belongs to another project.")


def issue_raise(
    *,
    access: ProjectAccess,
    category: str,
    severity: str,
    title: str,
    description: str,
    desired_outcome: str,
    impact: str = "",
    files=(),
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """Raise a service issue on the project; starts the acknowledge and plan clocks.

    The deadlines come from the project's agreed times for the severity (defaults
    where none were agreed), counted in the CDMO site's business time.
    """
    if not workflow.can_raise(access):
        raise NotAllowed("Service issues are raised by the sponsor.")
    if category not in Category.values or severity not in Severity.values:
        raise ServiceError("Choose a category and a severity.")
    if not title.strip() or not description.strip() or not desired_outcome.strip():
        raise ServiceError("A service issue needs a title, a description and the outcome you want.")
    now = now or timezone.now()
    project = access.project
    agreed = agreed_times_for(project=project, severity=severity)
    calendar = calendar_for(project)
    with transaction.atomic(), audited(f"{Severity(severity).label} service issue raised"):
        issue = ServiceIssue.objects.create(
            project=project,
            raised_by=access.user,
            category=category,
            severity=severity,
            title=title.strip(),
            description=description.strip(),
            impact=impact.strip(),
            desired_outcome=desired_outcome.strip(),
            raised_at=now,
            acknowledge_within_hours=agreed.acknowledge_within_hours,
            plan_within_hours=agreed.plan_within_hours,
            acknowledge_by=calendar.add_business_hours(now, agreed.acknowledge_within_hours),
            plan_by=calendar.add_business_hours(now, agreed.plan_within_hours),
        )
        _add_files(issue=issue, user=access.user, files=files, now=now)
        _record(
            issue=issue,
            kind=EventKind.RAISED,
            actor=access.user,
            summary=f"Raised as {issue.get_severity_display().lower()}: {issue.title}",
            now=now,
            data={
                "severity": severity,
                "acknowledge_by": _iso(issue.acknowledge_by),
                "plan_by": _iso(issue.plan_by),
                "agreed": f"acknowledge within {describe_business_hours(agreed.acknowledge_within_hours)}, "
                f"plan within {describe_business_hours(agreed.plan_within_hours)}",
            },
            notify=notify,
        )
    return issue


def issue_acknowledge(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The CDMO confirms it has the issue. Late acknowledgements are recorded as breaches."""
    _check_access(access, issue)
    now = now or timezone.now()
    with transaction.atomic(), audited("Service issue acknowledged"):
        locked, new_status = _lock_for(issue=issue, action=Action.ACKNOWLEDGE, access=access)
        locked.status = new_status
        locked.acknowledged_at = now
        locked.acknowledged_by = access.user
        locked.hours_to_acknowledge = round(
            calendar_for(locked.project).business_hours_between(locked.raised_at, now), 2
        )
        fields = ["status", "acknowledged_at", "acknowledged_by", "hours_to_acknowledge"]
        late = now > locked.acknowledge_by
        if late and locked.acknowledge_breached_at is None:
            locked.acknowledge_breached_at = now
            fields.append("acknowledge_breached_at")
        _save(locked, *fields)
        _record(
            issue=locked,
            kind=EventKind.ACKNOWLEDGED,
            actor=access.user,
            summary="Acknowledged" + (" after the agreed time" if late else " within the agreed time"),
            note=note.strip(),
            now=now,
            data={"late": late},
            notify=notify,
        )
    return locked


def issue_propose_plan(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    owner: User,
    steps: str,
    target_date: dt.date,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ResolutionPlan:
    """The CDMO proposes how it will resolve the issue: an owner, steps and a target date."""
    _check_access(access, issue)
    now = now or timezone.now()
    if not steps.strip():
        raise ServiceError("Describe the steps of the plan.")
    owner_on_team = ProjectMember.objects.filter(
        project_id=issue.project_id, user=owner, side=Side.CDMO, removed_at__isnull=True
    ).exists()
    if not owner_on_team:
        raise ServiceError(f"{owner} is not on the CDMO team of this project; choose an owner from the team.")
    calendar = calendar_for(access.project)
    if target_date < now.astimezone(calendar.zone).date():
        raise ServiceError("The target date cannot be in the past.")
    with transaction.atomic(), audited("Resolution plan proposed"):
        locked, new_status = _lock_for(issue=issue, action=Action.PROPOSE_PLAN, access=access)
        plan = ResolutionPlan.objects.create(
            issue=locked,
            owner=owner,
            steps=steps.strip(),
            target_date=target_date,
            proposed_by=access.user,
            proposed_at=now,
        )
        locked.status = new_status
        locked.plan_proposed_at = now
        fields = ["status", "plan_proposed_at"]
        if locked.first_plan_proposed_at is None:
            locked.first_plan_proposed_at = now
            locked.hours_to_first_plan = round(calendar.business_hours_between(locked.raised_at, now), 2)
            fields += ["first_plan_proposed_at", "hours_to_first_plan"]
        late = now > locked.plan_by
        if late and locked.plan_breached_at is None:
            locked.plan_breached_at = now
            locked.plan_breach_count += 1
            fields += ["plan_breached_at", "plan_breach_count"]
        _save(locked, *fields)
        _record(
            issue=locked,
            kind=EventKind.PLAN_PROPOSED,
            actor=access.user,
            summary=f"Resolution plan proposed: {owner} owns it, target {target_date:%d %b %Y}"
            + (" (after the agreed time)" if late else ""),
            note=steps.strip(),
            now=now,
            data={
                "plan_id": plan.pk,
                "owner_id": owner.pk,
                "target_date": target_date.isoformat(),
                "late": late,
            },
            notify=notify,
        )
    return plan


def _pending_plan(locked: ServiceIssue, plan: ResolutionPlan) -> ResolutionPlan:
    current = ResolutionPlan.objects.select_for_update().filter(pk=plan.pk, issue=locked).first()
    if current is None or current.status != PlanStatus.PROPOSED:
        raise ServiceError("This resolution plan was already answered; look at the latest plan.")
    return current


def issue_accept_plan(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    plan: ResolutionPlan,
    note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor accepts the proposed plan; the CDMO carries it out."""
    _check_access(access, issue)
    now = now or timezone.now()
    with transaction.atomic(), audited("Resolution plan accepted"):
        locked, new_status = _lock_for(issue=issue, action=Action.ACCEPT_PLAN, access=access)
        current = _pending_plan(locked, plan)
        current.status = PlanStatus.ACCEPTED
        current.response_note = note.strip()
        current.responded_by = access.user
        current.responded_at = now
        current.save(update_fields=["status", "response_note", "responded_by", "responded_at"])
        locked.status = new_status
        _save(locked, "status")
        _record(
            issue=locked,
            kind=EventKind.PLAN_ACCEPTED,
            actor=access.user,
            summary=f"Accepted the resolution plan (target {current.target_date:%d %b %Y})",
            note=note.strip(),
            now=now,
            data={"plan_id": current.pk},
            notify=notify,
        )
    return locked


def _restart_plan_clock(locked: ServiceIssue, now: dt.datetime) -> list[str]:
    """A new plan is owed: the plan clock starts again from the agreed plan time."""
    locked.plan_by = calendar_for(locked.project).add_business_hours(now, locked.plan_within_hours)
    locked.plan_proposed_at = None
    locked.plan_breached_at = None
    return ["plan_by", "plan_proposed_at", "plan_breached_at"]


def issue_send_back_plan(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    plan: ResolutionPlan,
    note: str,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor sends the plan back with a reason; the CDMO owes a new plan."""
    _check_access(access, issue)
    if not note.strip():
        raise ServiceError("Say why the plan does not work for you, so the CDMO can propose a better one.")
    now = now or timezone.now()
    with transaction.atomic(), audited("Resolution plan sent back"):
        locked, new_status = _lock_for(issue=issue, action=Action.SEND_BACK_PLAN, access=access)
        current = _pending_plan(locked, plan)
        current.status = PlanStatus.SENT_BACK
        current.response_note = note.strip()
        current.responded_by = access.user
        current.responded_at = now
        current.save(update_fields=["status", "response_note", "responded_by", "responded_at"])
        locked.status = new_status
        fields = _restart_plan_clock(locked, now)
        _save(locked, "status", *fields)
        _record(
            issue=locked,
            kind=EventKind.PLAN_SENT_BACK,
            actor=access.user,
            summary="Sent the resolution plan back; a new plan is due",
            note=note.strip(),
            now=now,
            data={"plan_id": current.pk, "plan_by": _iso(locked.plan_by)},
            notify=notify,
        )
    return locked


def issue_resolve(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    summary: str,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The CDMO reports the plan carried out; the sponsor then confirms or reopens."""
    _check_access(access, issue)
    if not summary.strip():
        raise ServiceError("Summarize what was done to resolve the issue.")
    now = now or timezone.now()
    with transaction.atomic(), audited("Service issue resolved"):
        locked, new_status = _lock_for(issue=issue, action=Action.RESOLVE, access=access)
        locked.status = new_status
        locked.resolved_at = now
        locked.resolution_summary = summary.strip()
        _save(locked, "status", "resolved_at", "resolution_summary")
        _record(
            issue=locked,
            kind=EventKind.RESOLVED,
            actor=access.user,
            summary="Marked resolved; waiting for the sponsor to confirm",
            note=summary.strip(),
            now=now,
            notify=notify,
        )
    return locked


def issue_confirm_closed(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    note: str = "",
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor confirms the resolution: the issue is closed."""
    _check_access(access, issue)
    now = now or timezone.now()
    with transaction.atomic(), audited("Service issue closed by the sponsor"):
        locked, new_status = _lock_for(issue=issue, action=Action.CONFIRM_CLOSED, access=access)
        locked.status = new_status
        locked.closed_at = now
        _save(locked, "status", "closed_at")
        _record(
            issue=locked,
            kind=EventKind.CLOSED,
            actor=access.user,
            summary="Confirmed the resolution and closed the issue",
            note=note.strip(),
            now=now,
            notify=notify,
        )
    return locked


def issue_reopen(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    reason: str,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """The sponsor reopens a resolved or closed issue: back to acknowledged, a new plan is due."""
    _check_access(access, issue)
    if not reason.strip():
        raise ServiceError("Say why the issue is not resolved.")
    now = now or timezone.now()
    with transaction.atomic(), audited("Service issue reopened"):
        locked, new_status = _lock_for(issue=issue, action=Action.REOPEN, access=access)
        locked.status = new_status
        locked.reopened_count += 1
        locked.resolved_at = None
        locked.closed_at = None
        locked.resolution_summary = ""
        fields = _restart_plan_clock(locked, now)
        _save(locked, "status", "reopened_count", "resolved_at", "closed_at", "resolution_summary", *fields)
        _record(
            issue=locked,
            kind=EventKind.REOPENED,
            actor=access.user,
            summary="Reopened; a new resolution plan is due",
            note=reason.strip(),
            now=now,
            data={"plan_by": _iso(locked.plan_by), "reopened_count": locked.reopened_count},
            notify=notify,
        )
    return locked


def issue_escalate(
    *,
    issue: ServiceIssue,
    reason: str,
    actor: User | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> ServiceIssue:
    """Raise the issue one rung up the escalation ladder and tell the people there.

    With an `actor`, a sponsor escalates by hand (role checked through the
    project selector); without, the portal escalates (a breached deadline).
    Refused at the top of the ladder and on resolved or closed issues.
    """
    if not reason.strip():
        raise ServiceError("Give a reason for the escalation.")
    now = now or timezone.now()
    access = None
    if actor is not None:
        project = (
            projects_visible_to(user=actor)
            .filter(pk=issue.project_id)
            .select_related("sponsor", "cdmo")
            .first()
        )
        if project is None:
            raise NotAllowed("You cannot see this project.")
        access = access_for(user=actor, project=project)
    with transaction.atomic(), audited("Service issue escalated"):
        locked, _ = _lock_for(issue=issue, action=Action.ESCALATE, access=access)
        if locked.escalation_level >= MAX_LEVEL:
            raise ServiceError(
                "This issue is already at the top of the escalation ladder (executives on both sides)."
            )
        locked.escalation_level += 1
        locked.escalated_at = now
        _save(locked, "escalation_level", "escalated_at")
        level = EscalationLevel(locked.escalation_level)
        _record(
            issue=locked,
            kind=EventKind.ESCALATED,
            actor=actor,
            summary=f"Escalated to {ESCALATION_PHRASES[level]}",
            note=reason.strip(),
            now=now,
            data={"level": int(level), "automatic": actor is None},
            notify=notify,
        )
    return locked


def issue_add_note(
    *,
    access: ProjectAccess,
    issue: ServiceIssue,
    text: str,
    internal: bool = False,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> IssueEvent:
    """A note on the timeline. Internal notes (CDMO only) are never shown or sent to the sponsor."""
    _check_access(access, issue)
    if internal and not access.is_cdmo:
        raise NotAllowed("Only the CDMO team can write internal notes.")
    if not text.strip():
        raise ServiceError("Write the note first.")
    now = now or timezone.now()
    with transaction.atomic(), audited("Internal note added" if internal else "Note added"):
        return _record(
            issue=issue,
            kind=EventKind.NOTE,
            actor=access.user,
            summary="Internal note" if internal else "Note",
            note=text.strip(),
            internal=internal,
            now=now,
            notify=notify,
        )


def _add_files(*, issue: ServiceIssue, user: User, files, now: dt.datetime) -> list[ServiceIssueAttachment]:
    files = list(files or [])
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ServiceError(f"Attach at most {MAX_FILES_PER_UPLOAD} files at a time.")
    attachments = []
    for upload in files:
        content_type = check_upload(upload)  # forms check first; this is the last door
        attachment = ServiceIssueAttachment(
            issue=issue,
            token=secrets.token_hex(16),
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
            uploaded_at=now,
        )
        attachment.file.save(attachment.token, upload, save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


def issue_add_attachments(
    *, access: ProjectAccess, issue: ServiceIssue, files, now: dt.datetime | None = None
) -> list[ServiceIssueAttachment]:
    """Attach files to an issue (either side, any status); one timeline entry for the batch."""
    _check_access(access, issue)
    if not files:
        raise ServiceError("Choose at least one file.")
    now = now or timezone.now()
    with transaction.atomic(), audited("Attachment added to a service issue"):
        attachments = _add_files(issue=issue, user=access.user, files=files, now=now)
        names = ", ".join(a.original_name for a in attachments)
        _record(
            issue=issue,
            kind=EventKind.ATTACHMENT_ADDED,
            actor=access.user,
            summary=f"Attached {names}",
            now=now,
            data={"attachment_ids": [a.pk for a in attachments]},
            notify=False,
        )
    return attachments


# The monitoring sweep ---------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    issue_id: int
    clock: str  # "acknowledge" or "plan"


def issue_mark_breaches(
    *, now: dt.datetime | None = None, escalate: bool = True, notify: bool = True
) -> list[Breach]:
    """Record every deadline that passed unmet, once, and escalate each breach one rung.

    Set-based: one locking SELECT and one UPDATE per clock, served by the
    partial indexes on `acknowledge_by` and `plan_by`. Rows another worker holds
    are skipped (SKIP LOCKED); the breached_at IS NULL condition makes a second
    sweep a no-op, so however many workers run, a breach is recorded and
    escalated once.
    """
    now = now or timezone.now()
    breaches: list[Breach] = []
    with transaction.atomic(), audited("Agreed response time breached"):
        due_ack = list(
            ServiceIssue.objects.select_for_update(skip_locked=True)
            .filter(status=IssueStatus.OPEN, acknowledge_breached_at__isnull=True, acknowledge_by__lte=now)
            .values_list("pk", flat=True)
        )
        if due_ack:
            ServiceIssue.objects.filter(pk__in=due_ack).update(
                acknowledge_breached_at=now, version=F("version") + 1, updated_at=now
            )
            breaches += [Breach(pk, "acknowledge") for pk in due_ack]
        due_plan = list(
            ServiceIssue.objects.select_for_update(skip_locked=True)
            .filter(status__in=AWAITING_PLAN, plan_breached_at__isnull=True, plan_by__lte=now)
            .values_list("pk", flat=True)
        )
        if due_plan:
            ServiceIssue.objects.filter(pk__in=due_plan).update(
                plan_breached_at=now,
                plan_breach_count=F("plan_breach_count") + 1,
                version=F("version") + 1,
                updated_at=now,
            )
            breaches += [Breach(pk, "plan") for pk in due_plan]
        if not breaches:
            return []
        issues = {
            i.pk: i
            for i in ServiceIssue.objects.filter(pk__in={b.issue_id for b in breaches}).select_related(
                "project__cdmo"
            )
        }
        IssueEvent.objects.bulk_create(
            [
                IssueEvent(
                    issue_id=b.issue_id,
                    project_id=issues[b.issue_id].project_id,
                    kind=EventKind.DEADLINE_BREACHED,
                    actor=None,
                    at=now,
                    summary=(
                        "Not acknowledged within the agreed time"
                        if b.clock == "acknowledge"
                        else "No resolution plan within the agreed time"
                    ),
                    data={
                        "clock": b.clock,
                        "deadline": _iso(
                            issues[b.issue_id].acknowledge_by
                            if b.clock == "acknowledge"
                            else issues[b.issue_id].plan_by
                        ),
                    },
                )
                for b in breaches
            ]
        )
        if escalate:
            for breach in breaches:
                issue = issues[breach.issue_id]
                if issue.escalation_level >= MAX_LEVEL:
                    continue
                deadline = issue.acknowledge_by if breach.clock == "acknowledge" else issue.plan_by
                what = "acknowledged" if breach.clock == "acknowledge" else "given a resolution plan"
                agreed = describe_business_hours(
                    issue.acknowledge_within_hours
                    if breach.clock == "acknowledge"
                    else issue.plan_within_hours
                )
                due = timezone.localtime(deadline, calendar_for(issue.project).zone)
                try:
                    issues[breach.issue_id] = issue_escalate(
                        issue=issue,
                        reason=f"Not {what} within the agreed {agreed} (due {due:%d %b %Y %H:%M %Z}).",
                        now=now,
                        notify=notify,
                    )
                except ServiceError:
                    # The breach is recorded either way; a refused rung must not stop the sweep.
                    logger.exception("Could not escalate service issue %s", issue.pk)
    return breaches


# Agreed response times ------------------------------------------------------------


def agreement_set(
    *, access: ProjectAccess, severity: str, acknowledge_within_hours: int, plan_within_hours: int
) -> ResponseTimeAgreement:
    """Agree the response times for one severity. Issues already raised keep their deadlines."""
    if not access.can_manage_project:
        raise NotAllowed(
            "Only the CDMO project manager or a CDMO admin can change the agreed response times."
        )
    if severity not in Severity.values:
        raise ServiceError("Unknown severity.")
    if acknowledge_within_hours < 1:
        raise ServiceError("Acknowledging takes at least one business hour.")
    if plan_within_hours < acknowledge_within_hours:
        raise ServiceError("The resolution plan cannot be due before the acknowledgement.")
    with (
        transaction.atomic(),
        audited(f"Agreed response times for {Severity(severity).label.lower()} issues changed"),
    ):
        agreement, _ = ResponseTimeAgreement.objects.select_for_update().update_or_create(
            project=access.project,
            severity=severity,
            defaults={
                "acknowledge_within_hours": acknowledge_within_hours,
                "plan_within_hours": plan_within_hours,
            },
        )
    return agreement


# Recognition ------------------------------------------------------------------------


def recognition_give(
    *,
    access: ProjectAccess,
    target: Target,
    note: str,
    recipient: User | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> Recognition:
    """A sponsor member recognizes good service on one object of the project."""
    if not access.is_sponsor:
        raise NotAllowed("Recognition is given by the sponsor team.")
    if project_id_of(target.obj) != access.project.pk:
        raise NotAllowed("That belongs to another project.")
    not_ready = target_ready_for_recognition(target)
    if not_ready:
        raise ServiceError(not_ready)
    if not note.strip():
        raise ServiceError("Say what was good: a short note is what the team will read.")
    # No recipient means the whole CDMO team (the form suggests `credited_person`).
    if recipient is not None and recipient.organization_id != access.project.cdmo_id:
        raise ServiceError("Recognition goes to someone at the CDMO.")
    now = now or timezone.now()
    with transaction.atomic(), audited("Recognition given"):
        try:
            with transaction.atomic():
                recognition = Recognition.objects.create(
                    project=access.project,
                    given_by=access.user,
                    recipient=recipient,
                    note=note.strip()[:500],
                    target_type=ContentType.objects.get_for_model(target.obj),
                    target_id=target.obj.pk,
                    target_label=target.description,
                    given_at=now,
                )
        except IntegrityError as exc:
            raise ServiceError("You already recognized this.") from exc
        if isinstance(target.obj, ServiceIssue):
            _record(
                issue=target.obj,
                kind=EventKind.RECOGNIZED,
                actor=access.user,
                summary="Recognized the resolution" + (f" by {recipient}" if recipient else ""),
                note=recognition.note,
                now=now,
                notify=False,
            )
        if notify:
            from .tasks import send_recognition_emails

            enqueue_on_commit(send_recognition_emails, recognition.pk)
    return recognition
