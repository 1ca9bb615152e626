"""Small worlds for the scorecard tests: records with the dates each measure reads."""

import datetime as dt

import time_machine

from oversight.scorecards.measures import Figure, compute, scope_of
from oversight.scorecards.quarters import last_quarters
from projects import services
from projects.models import CommentKind, DecisionRequest, MilestoneStatus, Project, ProjectMember, TeamRole
from projects.selectors import access_for
from tests.factories.projects import (
    MilestoneFactory,
    StatusUpdateFactory,
    UpdateCommentFactory,
    change_with_options,
)

UTC = dt.UTC
# The tests' today (`conftest.frozen_now`): a Wednesday in Q4 2026, so the quarters shown run
# from Q4 2026 back to Q4 2025.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
QUARTERS = last_quarters(NOW.date())


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


def decision(update, *, needed_by: dt.date, decided: dt.datetime | None = None):
    """A decision request the update asks of the sponsor; `decided`: the sponsor's lead decides it
    then, through the service."""
    project = update.project
    request = DecisionRequest.objects.create(
        project=project,
        update=update,
        title="Approve the alternative Protein A resin",
        needed_by=needed_by,
        raised_at=update.published_at,
    )
    if decided is not None:
        with time_machine.travel(decided, tick=False):
            request = services.decision_resolve(
                access=access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project),
                decision=request,
                note="Go with the alternative resin.",
            )
    return request


def change(project, *, needed_by: dt.date, decided: dt.datetime | None = None, how: str = "approve"):
    """A change request needed by `needed_by`; `decided`: then, it is approved (its first option),
    rejected by the sponsor's lead, or withdrawn by the CDMO's project manager (`how`)."""
    raised = dt.datetime.combine(needed_by - dt.timedelta(days=21), dt.time(9), tzinfo=UTC)
    request = change_with_options(project, needed_by=needed_by, raised_at=raised)
    if decided is None:
        return request
    lead = access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project)
    with time_machine.travel(decided, tick=False):
        if how == "approve":
            return services.change_approve(access=lead, change=request, option=request.recommended_option)
        if how == "reject":
            return services.change_reject(access=lead, change=request, reason="Keep suite A.")
        pm = access_for(user=member(project, TeamRole.PROJECT_MANAGER), project=project)
        return services.change_withdraw(access=pm, change=request, reason="Suite A is back.")


def measured(measure, project, quarters) -> dict:
    """{quarter: figure} of one measure over the project, computed as the workers compute the
    figures they store (the same set-based code, over a scope of one project)."""
    scope = scope_of([Project.objects.select_related("sponsor", "cdmo").get(pk=project.pk)], quarters)
    tallies = compute(scope, [measure])
    return {
        quarter: Figure(measure, quarter, tallies[project.pk, measure.key, quarter]) for quarter in quarters
    }


def milestone(project, baseline: dt.date, *moves: tuple[dt.date, dt.date], done: dt.date | None = None):
    """A milestone due `baseline`, its forecast moved (on the day, to the date) through the
    service, then done on `done` (else still open)."""
    pm = access_for(user=member(project, TeamRole.PROJECT_MANAGER), project=project)
    item = MilestoneFactory(project=project, baseline_date=baseline, forecast_date=baseline)
    for on, to in moves:
        with time_machine.travel(dt.datetime.combine(on, dt.time(9), tzinfo=UTC), tick=False):
            services.milestone_change_forecast(
                access=pm, milestone=item, new_date=to, reason="Resin lead time", version=item.version
            )
    if done is not None:
        item.refresh_from_db()
        item = services.milestone_set_status(
            access=pm, milestone=item, status=MilestoneStatus.DONE, actual_date=done, version=item.version
        )
    return item
