"""Fixtures for the service-issue log: a staffed project whose CDMO works in Berlin."""

import datetime as dt

import pytest

from issues import services
from issues.models import IssueStatus, PlanStatus, ResolutionPlan, Severity
from projects.selectors import access_for


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def access(user, project):
    return access_for(user=user, project=project)


@pytest.fixture
def team(sponsor_lead, decision_maker, cdmo_pm, cdmo_sme):
    """The standing team: sponsor lead and decision-maker, CDMO PM and SME."""
    return {"lead": sponsor_lead, "dm": decision_maker, "pm": cdmo_pm, "sme": cdmo_sme}


@pytest.fixture
def raise_issue(project, team):
    def _raise(
        severity=Severity.CRITICAL, user=None, now=None, title="Deviation notified nine days late", **extra
    ):
        fields = {
            "category": "quality",
            "description": "We learned of the deviation from a batch record.",
            "desired_outcome": "Notice within 24 hours.",
            "impact": "Clinical supply at risk.",
            **extra,
        }
        return services.issue_raise(
            access=access(user or team["lead"], project), severity=severity, title=title, now=now, **fields
        )

    return _raise


def drive(issue, status, team, project, *, now=None):
    """Take a fresh issue to `status` through the real services; returns the issue."""
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    order = [
        IssueStatus.ACKNOWLEDGED,
        IssueStatus.PLAN_PROPOSED,
        IssueStatus.PLAN_ACCEPTED,
        IssueStatus.RESOLVED,
        IssueStatus.CLOSED,
    ]
    if status == IssueStatus.OPEN:
        return issue
    for step in order:
        if step == IssueStatus.ACKNOWLEDGED:
            issue = services.issue_acknowledge(access=pm, issue=issue, now=now)
        elif step == IssueStatus.PLAN_PROPOSED:
            services.issue_propose_plan(
                access=pm,
                issue=issue,
                owner=team["sme"],
                steps="1. Investigate.\n2. Report.",
                target_date=dt.date.today() + dt.timedelta(days=30),
                now=now,
            )
        elif step == IssueStatus.PLAN_ACCEPTED:
            plan = ResolutionPlan.objects.get(issue=issue, status=PlanStatus.PROPOSED)
            services.issue_accept_plan(access=lead, issue=issue, plan=plan, now=now)
        elif step == IssueStatus.RESOLVED:
            services.issue_resolve(access=pm, issue=issue, summary="Notification procedure fixed.", now=now)
        elif step == IssueStatus.CLOSED:
            services.issue_confirm_closed(access=lead, issue=issue, now=now)
        issue.refresh_from_db()
        if step == status:
            return issue
    raise AssertionError(status)
