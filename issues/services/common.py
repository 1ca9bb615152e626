"""What every step of the workflow shares: the timeline entry, the row lock and the checks."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from portal.accounts.models import User
from portal.core.business_time import BusinessCalendar
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from projects.models import Project
from projects.selectors import ProjectAccess
from projects.services import require_same_project

from .. import workflow
from ..models import EscalationLevel, IssueEvent, ServiceIssue
from ..tasks import send_issue_event_emails

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
        enqueue_on_commit(send_issue_event_emails, event.pk)
    return event


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


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
    require_same_project(access, issue.project_id, "This issue belongs to another project.")
