"""Demo notifications: what the demo people were told over the last ten days. Idempotent.

The rows are written with their historical times and as already emailed, so
seeding sends nothing; the dedupe keys make a second run add nothing. Once the
other apps send through notify(), their own demo data adds more of the same.
"""

from __future__ import annotations

import datetime as dt
import random

from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import EmailStatus, Notification
from portal.notifications.services import insert_claimed, render_notification_email
from projects.models import Project, ProjectStatus, TeamRole
from projects.notifications import project_subject

# (role, kind, title, body, tab url name, days ago, read)
STORIES = [
    (
        TeamRole.SPONSOR_LEAD,
        "update.published",
        "{code}: status update published, overall amber",
        "Schedule amber: the engineering batch moved by 6 days after a resin delivery slipped. "
        "One decision is needed from you by Friday.",
        "projects:updates",
        0.2,
        False,
    ),
    (
        TeamRole.SPONSOR_LEAD,
        "question.answered",
        "{code}: {pm} answered your question",
        "“Can the PPQ batches run on the 2,000 L line?” Answered in 1 business day.",
        "projects:updates",
        1.1,
        False,
    ),
    (
        TeamRole.SPONSOR_LEAD,
        "milestone.forecast_changed",
        "{code}: GMP batch 1 forecast moved by 9 days",
        "New forecast 14 April (baseline 5 April). Reason: the supplier delayed the resin lot.",
        "projects:milestones",
        2.4,
        True,
    ),
    (
        TeamRole.SPONSOR_LEAD,
        "minutes.sent",
        "{code}: minutes of the weekly call to confirm",
        "{pm} sent the minutes: 3 decisions, 4 action items. Confirm them or ask for a correction.",
        "meetings:project_meetings",
        4.0,
        True,
    ),
    (
        TeamRole.PROJECT_MANAGER,
        "reminder.update_due",
        "{code}: status update due tomorrow",
        "The agreed cadence is weekly. {lead} expects the next update by tomorrow evening.",
        "projects:updates",
        0.1,
        False,
    ),
    (
        TeamRole.PROJECT_MANAGER,
        "question.asked",
        "{code}: {lead} asked a question",
        "“What is the impact of the resin delay on the release date?” Agreed response time: 2 business days.",
        "projects:updates",
        0.6,
        False,
    ),
    (
        TeamRole.PROJECT_MANAGER,
        "flag.raised",
        "{code}: action item overdue",
        "“Send the updated batch record template” was due 3 days ago and is still open.",
        "meetings:project_meetings",
        3.2,
        True,
    ),
    (
        TeamRole.DECISION_MAKER,
        "update.decision_needed",
        "{code}: a decision is needed from you",
        "Approve the second engineering run before 20 March to keep the GMP campaign on plan.",
        "projects:updates",
        1.5,
        False,
    ),
]


def _url(name: str, project: Project) -> str:
    return reverse(name, kwargs={"project_id": project.pk})


def seed(world) -> None:
    now = timezone.now()
    projects = list(
        Project.objects.filter(status=ProjectStatus.ACTIVE)
        .prefetch_related("members__user")
        .order_by("code")[:12]
    )
    rows = []
    for project in projects:
        rng = random.Random(project.code)
        members = [m for m in project.members.all() if m.removed_at is None]
        by_role = {m.role: m.user for m in members}
        names = {
            "code": project.code,
            "pm": getattr(by_role.get(TeamRole.PROJECT_MANAGER), "full_name", "The project manager"),
            "lead": getattr(by_role.get(TeamRole.SPONSOR_LEAD), "full_name", "The sponsor lead"),
        }
        for role, kind, title, body, url_name, days_ago, read in STORIES:
            person = by_role.get(role)
            if person is None or rng.random() < 0.25:  # not every project has every story
                continue
            created = now - dt.timedelta(days=days_ago + rng.random() / 3)
            url = _url(url_name, project)
            row = Notification(
                recipient=person,
                **project_subject(project).as_fields(),
                kind=kind,
                dedupe_key=f"demo:{kind}:project-{project.pk}",
                title=title.format(**names),
                body=body.format(**names),
                url=url,
                created_at=created,
                # Read three hours later, or by now for the newest.
                read_at=min(created + dt.timedelta(hours=3), now) if read else None,
                email_status=EmailStatus.SENT,
                email_to=person.email,
                email_attempts=1,
                email_claimed_at=created,
                email_sent_at=created + dt.timedelta(seconds=20),
                email_next_attempt_at=created,
            )
            row.email_subject, row.email_text, row.email_html = render_notification_email(
                recipient=person,
                template=None,
                context=None,
                title=row.title,
                body=row.body,
                url=url,
                subject=project_subject(project),
            )
            rows.append(row)
    insert_claimed(rows)
