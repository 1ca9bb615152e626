"""Raising a service issue and writing notes on its timeline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from portal.core import clock
from portal.core.audit import audited
from portal.core.business_time import describe_business_hours
from portal.core.exceptions import NotAllowed, ServiceError
from projects.selectors import ProjectAccess

from .. import permissions
from ..models import Category, EventKind, IssueEvent, ServiceIssue, Severity
from ..selectors import agreed_times_for
from .attachments import _add_files
from .common import _check_access, _iso, _record, calendar_for


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
    if not permissions.can_raise(access):
        raise NotAllowed("Service issues are raised by the sponsor.")
    if category not in Category.values or severity not in Severity.values:
        raise ServiceError("Choose a category and a severity.")
    if not title.strip() or not description.strip() or not desired_outcome.strip():
        raise ServiceError("A service issue needs a title, a description and the outcome you want.")
    now = now or clock.now()
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
    if internal and not permissions.can_write_internal_notes(access):
        raise NotAllowed("Only the CDMO team can write internal notes.")
    if not text.strip():
        raise ServiceError("Write the note first.")
    now = now or clock.now()
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
