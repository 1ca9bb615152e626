"""Small worlds for the scorecard tests: records with the dates each measure reads."""

import datetime as dt

from projects.models import CommentKind, MilestoneStatus, ProjectMember, TeamRole
from tests.factories.projects import MilestoneFactory, StatusUpdateFactory, UpdateCommentFactory

UTC = dt.UTC


def member(project, role):
    return ProjectMember.objects.get(project=project, role=role, removed_at__isnull=True).user


def done_milestone(project, *, baseline: dt.date, actual: dt.date):
    return MilestoneFactory(
        project=project,
        baseline_date=baseline,
        forecast_date=actual,
        actual_date=actual,
        status=MilestoneStatus.DONE,
    )


def published(project, at: dt.datetime, **kwargs):
    return StatusUpdateFactory(
        project=project,
        published=True,
        published_at=at,
        period_end=at.date(),
        period_start=at.date() - dt.timedelta(days=6),
        **kwargs,
    )


def question(
    update, *, asked: dt.datetime, respond_by: dt.datetime, answered: dt.datetime | None, author=None
):
    project = update.project
    return UpdateCommentFactory(
        update=update,
        kind=CommentKind.QUESTION,
        body="When does GMP-01 start?",
        author=author or member(project, TeamRole.SPONSOR_LEAD),
        created_at=asked,
        respond_by=respond_by,
        answered_at=answered,
        answered_by=member(project, TeamRole.PROJECT_MANAGER) if answered else None,
    )
