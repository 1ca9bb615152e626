"""Every service that is handed a parent and a child checks the child belongs to it: an issue to
the project of the access it came with, a plan to its issue, a recognized object to the project.
The people here are on both projects, so only the mismatch can be what refuses."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from issues import services
from issues.models import IssueEvent, IssueStatus, PlanStatus, Recognition, ResolutionPlan
from issues.recognition import Target
from portal.core.exceptions import NotAllowed, ServiceError
from projects.models import TeamRole
from tests.factories.projects import ProjectFactory, ProjectMemberFactory

from .conftest import access, drive


@pytest.fixture
def other(project, team):
    """A second project of the same two companies, with the same lead and project manager."""
    other = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo)
    ProjectMemberFactory(project=other, role=TeamRole.SPONSOR_LEAD, user=team["lead"])
    ProjectMemberFactory(project=other, role=TeamRole.PROJECT_MANAGER, user=team["pm"])
    return other


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "who", "step"),
    [
        (IssueStatus.OPEN, "pm", lambda a, i: services.issue_acknowledge(access=a, issue=i)),
        (
            IssueStatus.ACKNOWLEDGED,
            "pm",
            lambda a, i: services.issue_propose_plan(
                access=a, issue=i, owner=a.user, steps="1. Fix.", target_date=dt.date(2099, 1, 1)
            ),
        ),
        (
            IssueStatus.PLAN_ACCEPTED,
            "pm",
            lambda a, i: services.issue_resolve(access=a, issue=i, summary="Done."),
        ),
        (IssueStatus.RESOLVED, "lead", lambda a, i: services.issue_confirm_closed(access=a, issue=i)),
        (
            IssueStatus.RESOLVED,
            "lead",
            lambda a, i: services.issue_reopen(access=a, issue=i, reason="Not fixed."),
        ),
        (IssueStatus.OPEN, "lead", lambda a, i: services.issue_add_note(access=a, issue=i, text="A note.")),
        (
            IssueStatus.OPEN,
            "lead",
            lambda a, i: services.issue_add_attachments(access=a, issue=i, files=[_pdf()]),
        ),
    ],
)
def test_an_issue_of_another_project_is_refused(raise_issue, team, project, other, status, who, step):
    issue = drive(raise_issue(), status, team, project)
    events = IssueEvent.objects.count()
    with pytest.raises(NotAllowed, match="another project"):
        step(access(team[who], other), issue)
    issue.refresh_from_db()
    assert issue.status == status
    assert IssueEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["accept", "send_back"])
def test_a_plan_is_answered_only_on_its_own_issue(raise_issue, team, project, other, answer):
    issue = drive(raise_issue(title="First"), IssueStatus.PLAN_PROPOSED, team, project)
    second = drive(raise_issue(title="Second"), IssueStatus.PLAN_PROPOSED, team, project)
    plan_of_second = ResolutionPlan.objects.get(issue=second, status=PlanStatus.PROPOSED)
    lead = access(team["lead"], project)
    with pytest.raises(ServiceError):
        if answer == "accept":
            services.issue_accept_plan(access=lead, issue=issue, plan=plan_of_second)
        else:
            services.issue_send_back_plan(access=lead, issue=issue, plan=plan_of_second, note="No.")
    plan_of_second.refresh_from_db()
    issue.refresh_from_db()
    assert plan_of_second.status == PlanStatus.PROPOSED
    assert issue.status == IssueStatus.PLAN_PROPOSED
    # Nor through the access of another project.
    with pytest.raises(NotAllowed, match="another project"):
        services.issue_accept_plan(access=access(team["lead"], other), issue=second, plan=plan_of_second)


@pytest.mark.django_db
def test_recognition_is_given_only_on_the_targets_project(raise_issue, team, project, other):
    issue = drive(raise_issue(), IssueStatus.RESOLVED, team, project)
    target = Target(label="issues.serviceissue", obj=issue)
    with pytest.raises(NotAllowed, match="another project"):
        services.recognition_give(access=access(team["lead"], other), target=target, note="Great work.")
    assert not Recognition.objects.exists()
