"""The workflow: every allowed and every refused (step, status) pair, roles, double clicks."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from issues import services, workflow
from issues.models import EventKind, IssueEvent, IssueStatus, PlanStatus, ResolutionPlan, ServiceIssue
from issues.workflow import Action
from portal.accounts.models import OrgRole
from portal.core.exceptions import NotAllowed, ServiceError
from projects.models import TeamRole
from tests.factories.issues import ResolutionPlanFactory
from tests.factories.organizations import UserFactory
from tests.factories.projects import ProjectMemberFactory

from .conftest import access, drive

S = IssueStatus

# Written out by hand: the product's rules, independent of the code's table.
ALLOWED = {
    (Action.ACKNOWLEDGE, S.OPEN): S.ACKNOWLEDGED,
    (Action.PROPOSE_PLAN, S.ACKNOWLEDGED): S.PLAN_PROPOSED,
    (Action.ACCEPT_PLAN, S.PLAN_PROPOSED): S.PLAN_ACCEPTED,
    (Action.SEND_BACK_PLAN, S.PLAN_PROPOSED): S.ACKNOWLEDGED,
    (Action.RESOLVE, S.PLAN_ACCEPTED): S.RESOLVED,
    (Action.CONFIRM_CLOSED, S.RESOLVED): S.CLOSED,
    (Action.REOPEN, S.RESOLVED): S.ACKNOWLEDGED,
    (Action.REOPEN, S.CLOSED): S.ACKNOWLEDGED,
    (Action.ESCALATE, S.OPEN): S.OPEN,
    (Action.ESCALATE, S.ACKNOWLEDGED): S.ACKNOWLEDGED,
    (Action.ESCALATE, S.PLAN_PROPOSED): S.PLAN_PROPOSED,
    (Action.ESCALATE, S.PLAN_ACCEPTED): S.PLAN_ACCEPTED,
}
ALL_PAIRS = [(action, status) for action in Action for status in IssueStatus]


def test_the_table_matches_the_rules_for_every_pair():
    for action, status in ALL_PAIRS:
        assert workflow.target_status(action, status) == ALLOWED.get((action, status)), (action, status)


def test_only_reopen_leaves_a_closed_issue():
    assert [a for a in Action if workflow.target_status(a, S.CLOSED)] == [Action.REOPEN]


def _perform(action, issue, team, project):
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    plan = ResolutionPlan.objects.filter(issue=issue, status=PlanStatus.PROPOSED).first()
    if plan is None and action in (Action.ACCEPT_PLAN, Action.SEND_BACK_PLAN):
        plan = ResolutionPlanFactory(
            issue=issue, status=PlanStatus.SENT_BACK, responded_at=timezone.now(), responded_by=team["lead"]
        )
    today = dt.date.today()
    calls = {
        Action.ACKNOWLEDGE: lambda: services.issue_acknowledge(access=pm, issue=issue),
        Action.PROPOSE_PLAN: lambda: services.issue_propose_plan(
            access=pm, issue=issue, owner=team["pm"], steps="Do it.", target_date=today + dt.timedelta(days=3)
        ),
        Action.ACCEPT_PLAN: lambda: services.issue_accept_plan(access=lead, issue=issue, plan=plan),
        Action.SEND_BACK_PLAN: lambda: services.issue_send_back_plan(
            access=lead, issue=issue, plan=plan, note="Too vague."
        ),
        Action.RESOLVE: lambda: services.issue_resolve(access=pm, issue=issue, summary="Fixed."),
        Action.CONFIRM_CLOSED: lambda: services.issue_confirm_closed(access=lead, issue=issue),
        Action.REOPEN: lambda: services.issue_reopen(access=lead, issue=issue, reason="Not fixed."),
        Action.ESCALATE: lambda: services.issue_escalate(
            issue=issue, reason="No answer.", actor=team["lead"]
        ),
    }
    return calls[action]()


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), ALL_PAIRS, ids=[f"{a}-from-{s}" for a, s in ALL_PAIRS])
def test_every_step_from_every_status(action, status, raise_issue, team, project):
    issue = drive(raise_issue(), status, team, project)
    events_before = IssueEvent.objects.filter(issue=issue).count()
    expected = ALLOWED.get((action, status))
    if expected is None:
        with pytest.raises(ServiceError) as refused:
            _perform(action, issue, team, project)
        assert not isinstance(refused.value, NotAllowed)
        assert str(refused.value) == workflow.refusal(action, status)
        issue.refresh_from_db()
        assert issue.status == status
        assert IssueEvent.objects.filter(issue=issue).count() == events_before
    else:
        _perform(action, issue, team, project)
        issue.refresh_from_db()
        assert issue.status == expected
        new_events = list(IssueEvent.objects.filter(issue=issue).order_by("pk")[events_before:])
        assert len(new_events) == 1, "every step writes exactly one timeline entry"


@pytest.mark.django_db
def test_refusal_messages_say_what_to_do(raise_issue, team, project):
    assert workflow.refusal(Action.ESCALATE, S.CLOSED) == "This issue is already closed; reopen it first."
    assert workflow.refusal(Action.ACKNOWLEDGE, S.CLOSED) == (
        "This issue is already closed; only the sponsor can reopen it."
    )
    assert workflow.refusal(Action.PROPOSE_PLAN, S.OPEN) == (
        "Acknowledge the issue before proposing a resolution plan."
    )
    assert workflow.refusal(Action.RESOLVE, S.ACKNOWLEDGED).startswith("The sponsor has to accept")
    closed = drive(raise_issue(), S.CLOSED, team, project)
    with pytest.raises(ServiceError, match="already closed; reopen it first"):
        services.issue_escalate(issue=closed, reason="Again", actor=team["lead"])


@pytest.mark.django_db
def test_escalation_stops_at_the_top_of_the_ladder(raise_issue, team):
    issue = raise_issue()
    issue = services.issue_escalate(issue=issue, reason="One", actor=team["lead"])
    issue = services.issue_escalate(issue=issue, reason="Two", actor=team["lead"])
    assert issue.escalation_level == 2
    with pytest.raises(ServiceError, match="top of the escalation ladder"):
        services.issue_escalate(issue=issue, reason="Three", actor=team["lead"])
    assert ServiceIssue.objects.get(pk=issue.pk).escalation_level == 2
    assert workflow.available_actions(access(team["lead"], issue.project), issue) == []


# Roles ------------------------------------------------------------------------------


@pytest.fixture
def people(project, team, sponsor_exec, cdmo_admin):
    plain_member = ProjectMemberFactory(project=project, role=TeamRole.SPONSOR_MEMBER).user
    raiser_member = ProjectMemberFactory(project=project, role=TeamRole.SPONSOR_MEMBER).user
    team_exec = ProjectMemberFactory(project=project, role=TeamRole.CDMO_EXECUTIVE).user
    cdmo_org_exec = UserFactory(organization=project.cdmo, org_role=OrgRole.EXECUTIVE)
    return {
        **team,
        "plain_member": plain_member,
        "raiser_member": raiser_member,
        "sponsor_exec": sponsor_exec,
        "cdmo_admin": cdmo_admin,
        "cdmo_team_exec": team_exec,
        "cdmo_org_exec": cdmo_org_exec,
    }


CDMO_STEP_ROLES = {"pm", "cdmo_admin", "cdmo_team_exec", "cdmo_org_exec"}
SPONSOR_STEP_ROLES = {"lead", "dm", "sponsor_exec", "raiser_member"}


@pytest.mark.django_db
def test_who_may_take_each_step(people, project, raise_issue):
    issue = raise_issue(user=people["raiser_member"])
    for name, user in people.items():
        user_access = access(user, project)
        for action in Action:
            allowed = workflow.may(user_access, issue, action)
            expected = name in (CDMO_STEP_ROLES if action in workflow.CDMO_ACTIONS else SPONSOR_STEP_ROLES)
            assert allowed == expected, f"{name} {'may' if allowed else 'may not'} {action}"


@pytest.mark.django_db
def test_services_refuse_the_wrong_side(raise_issue, team, project):
    issue = raise_issue()
    with pytest.raises(NotAllowed):
        services.issue_acknowledge(access=access(team["lead"], project), issue=issue)
    with pytest.raises(NotAllowed):
        services.issue_acknowledge(access=access(team["sme"], project), issue=issue)
    with pytest.raises(NotAllowed):
        services.issue_escalate(issue=issue, reason="Me too", actor=team["pm"])
    with pytest.raises(NotAllowed):
        services.issue_raise(
            access=access(team["pm"], project),
            category="quality",
            severity="minor",
            title="x",
            description="x",
            desired_outcome="x",
        )
    issue.refresh_from_db()
    assert (issue.status, issue.escalation_level) == (S.OPEN, 0)


@pytest.mark.django_db
def test_someone_who_cannot_see_the_project_cannot_escalate(raise_issue, outsider, sponsor_member_off_team):
    issue = raise_issue()
    for stranger in (outsider, sponsor_member_off_team):
        with pytest.raises(NotAllowed):
            services.issue_escalate(issue=issue, reason="Let me in", actor=stranger)


@pytest.mark.django_db
def test_only_the_cdmo_writes_internal_notes(raise_issue, team, project):
    issue = raise_issue()
    with pytest.raises(NotAllowed):
        services.issue_add_note(access=access(team["lead"], project), issue=issue, text="x", internal=True)
    note = services.issue_add_note(
        access=access(team["sme"], project), issue=issue, text="Ours", internal=True
    )
    assert note.is_internal and note.kind == EventKind.NOTE


# Two people clicking at once -------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_page_cannot_acknowledge_twice(raise_issue, team, project, cdmo_admin):
    issue = raise_issue()
    stale_copy = ServiceIssue.objects.get(pk=issue.pk)
    services.issue_acknowledge(access=access(team["pm"], project), issue=issue)
    with pytest.raises(ServiceError, match="already acknowledged"):
        services.issue_acknowledge(access=access(cdmo_admin, project), issue=stale_copy)
    assert IssueEvent.objects.filter(issue=issue, kind=EventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_clicks_transition_once(project, cdmo_pm, cdmo_admin, sponsor_lead):
    issue = services.issue_raise(
        access=access(sponsor_lead, project),
        category="quality",
        severity="critical",
        title="Race",
        description="Two people click at once.",
        desired_outcome="One acknowledgement.",
    )
    barrier = threading.Barrier(2)
    results = []

    def click(user):
        try:
            barrier.wait()
            services.issue_acknowledge(access=access(user, project), issue=issue)
            results.append("ok")
        except ServiceError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(u,)) for u in (cdmo_pm, cdmo_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["This issue was already acknowledged.", "ok"]
    assert IssueEvent.objects.filter(issue=issue, kind=EventKind.ACKNOWLEDGED).count() == 1
    issue.refresh_from_db()
    assert issue.version == 2
