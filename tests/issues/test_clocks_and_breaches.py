"""Response clocks in the CDMO's business time, breaches, the sweep and the escalation ladder."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from issues import services
from issues.models import EventKind, IssueEvent, IssueStatus, ServiceIssue, Severity
from issues.selectors import effective_agreements, escalation_recipients
from portal.accounts.models import OrgRole
from portal.core.exceptions import NotAllowed, ServiceError
from projects.models import TeamRole
from tests.factories.issues import ResponseTimeAgreementFactory, ServiceIssueFactory
from tests.factories.organizations import CDMOFactory, UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project

from .conftest import access, drive

BERLIN = ZoneInfo("Europe/Berlin")
CHICAGO = ZoneInfo("America/Chicago")


def berlin(*args):
    return dt.datetime(*args, tzinfo=BERLIN)


# Deadlines at raise time --------------------------------------------------------------


@pytest.mark.clock
@pytest.mark.django_db
@pytest.mark.parametrize("severity", [Severity.CRITICAL, Severity.MINOR])
def test_clocks_started_at_any_instant_end_in_the_sites_working_hours(
    clock_now, severity, project, raise_issue, team
):
    """Raised late on a weekday, on a Sunday, across a clock change, on 29 February or New Year's
    Eve: each deadline is the agreed number of working hours later, inside the CDMO's working day."""
    issue = raise_issue(severity=severity, now=clock_now)
    calendar = services.calendar_for(project)
    for deadline, hours in (
        (issue.acknowledge_by, issue.acknowledge_within_hours),
        (issue.plan_by, issue.plan_within_hours),
    ):
        local = deadline.astimezone(calendar.zone)
        assert calendar.is_working_day(local.date()), local
        assert calendar.day_start <= local.time() <= calendar.day_end, local
        assert calendar.business_hours_between(clock_now, deadline) == pytest.approx(hours)
    assert issue.acknowledge_by <= issue.plan_by


@pytest.mark.django_db
@time_machine.travel(berlin(2025, 11, 14, 15, 0), tick=False)
def test_critical_raised_friday_afternoon_is_due_monday(raise_issue):
    issue = raise_issue(severity=Severity.CRITICAL)
    assert issue.acknowledge_by == berlin(2025, 11, 17, 11, 0)  # 2h Friday + 2h Monday
    assert issue.plan_by == berlin(2025, 11, 17, 15, 0)  # one business day
    assert (issue.acknowledge_within_hours, issue.plan_within_hours) == (4, 8)


@pytest.mark.django_db
@time_machine.travel(berlin(2025, 10, 2, 16, 0), tick=False)
def test_german_unity_day_does_not_count_for_a_berlin_cdmo(raise_issue):
    issue = raise_issue(severity=Severity.MAJOR)
    # Thursday 16:00 + 8h: 1h Thursday, Friday 3 October is a holiday, 7h Monday.
    assert issue.acknowledge_by == berlin(2025, 10, 6, 16, 0)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 11, 26, 21, 0, tzinfo=dt.UTC), tick=False)
def test_deadlines_follow_the_cdmo_site_not_the_sponsor(sponsor):
    # 15:00 in Chicago the day before Thanksgiving; the sponsor sits in New York.
    cascade = CDMOFactory(name="Cascade", country="US", time_zone="America/Chicago")
    project = staff_project(ProjectFactory(sponsor=sponsor, cdmo=cascade))
    lead = project.members.get(role=TeamRole.SPONSOR_LEAD).user
    issue = services.issue_raise(
        access=access(lead, project),
        category="schedule",
        severity=Severity.MAJOR,
        title="Slot moved",
        description="Moved without notice.",
        desired_outcome="The slot back.",
    )
    # 2h Wednesday, Thanksgiving skipped, 6h Friday.
    assert issue.acknowledge_by == dt.datetime(2025, 11, 28, 15, 0, tzinfo=CHICAGO)


@pytest.mark.django_db
@time_machine.travel(berlin(2025, 11, 18, 9, 0), tick=False)
def test_the_projects_agreed_times_are_used(project, raise_issue):
    ResponseTimeAgreementFactory(
        project=project, severity=Severity.MINOR, acknowledge_within_hours=2, plan_within_hours=4
    )
    issue = raise_issue(severity=Severity.MINOR)
    assert issue.acknowledge_by == berlin(2025, 11, 18, 11, 0)
    assert issue.plan_by == berlin(2025, 11, 18, 13, 0)


@pytest.mark.django_db
def test_effective_agreements_fill_in_the_defaults(project):
    ResponseTimeAgreementFactory(
        project=project, severity=Severity.MAJOR, acknowledge_within_hours=6, plan_within_hours=16
    )
    rows = {a.severity: a for a in effective_agreements(project=project)}
    assert (
        rows["critical"].acknowledge_within_hours,
        rows["critical"].plan_within_hours,
        rows["critical"].is_default,
    ) == (4, 8, True)
    assert (
        rows["major"].acknowledge_within_hours,
        rows["major"].plan_within_hours,
        rows["major"].is_default,
    ) == (6, 16, False)
    assert (rows["minor"].acknowledge_within_hours, rows["minor"].plan_within_hours) == (16, 40)


@pytest.mark.django_db
def test_changing_the_agreement_keeps_existing_deadlines(project, raise_issue, team):
    issue = raise_issue(severity=Severity.CRITICAL)
    services.agreement_set(
        access=access(team["pm"], project),
        severity=Severity.CRITICAL,
        acknowledge_within_hours=1,
        plan_within_hours=2,
    )
    fresh = ServiceIssue.objects.get(pk=issue.pk)
    assert (fresh.acknowledge_by, fresh.plan_by) == (issue.acknowledge_by, issue.plan_by)


@pytest.mark.django_db
def test_only_the_cdmo_manager_agrees_response_times(project, team, cdmo_admin):
    for user in (team["lead"], team["sme"], team["dm"]):
        with pytest.raises(NotAllowed):
            services.agreement_set(
                access=access(user, project),
                severity="major",
                acknowledge_within_hours=4,
                plan_within_hours=8,
            )
    with pytest.raises(ServiceError, match="before the acknowledgement"):
        services.agreement_set(
            access=access(cdmo_admin, project),
            severity="major",
            acknowledge_within_hours=8,
            plan_within_hours=4,
        )
    agreement = services.agreement_set(
        access=access(cdmo_admin, project), severity="major", acknowledge_within_hours=4, plan_within_hours=8
    )
    assert (agreement.acknowledge_within_hours, agreement.plan_within_hours) == (4, 8)


# Meeting and missing the clocks ------------------------------------------------------------


@pytest.mark.django_db
def test_acknowledging_in_time_records_business_hours(raise_issue, team, project):
    with time_machine.travel(berlin(2025, 11, 14, 16, 0), tick=False):
        issue = raise_issue(severity=Severity.CRITICAL)
    with time_machine.travel(berlin(2025, 11, 17, 10, 30), tick=False):
        issue = services.issue_acknowledge(access=access(team["pm"], project), issue=issue)
    assert issue.hours_to_acknowledge == 2.5  # 1h Friday, 1.5h Monday
    assert issue.acknowledge_breached_at is None
    assert issue.acknowledge_met is True


@pytest.mark.django_db
def test_a_late_acknowledgement_is_recorded_as_a_breach(raise_issue, team, project):
    with time_machine.travel(berlin(2025, 11, 17, 9, 0), tick=False):
        issue = raise_issue(severity=Severity.CRITICAL)
    with time_machine.travel(berlin(2025, 11, 17, 15, 0), tick=False):
        issue = services.issue_acknowledge(access=access(team["pm"], project), issue=issue)
    assert issue.acknowledge_breached_at == berlin(2025, 11, 17, 15, 0)
    assert issue.acknowledge_met is False
    event = IssueEvent.objects.get(issue=issue, kind=EventKind.ACKNOWLEDGED)
    assert "after the agreed time" in event.summary


@pytest.mark.django_db
def test_a_late_plan_counts_as_a_plan_breach(raise_issue, team, project):
    with time_machine.travel(berlin(2025, 11, 17, 9, 0), tick=False):
        issue = raise_issue(severity=Severity.CRITICAL)
        issue = services.issue_acknowledge(access=access(team["pm"], project), issue=issue)
    with time_machine.travel(berlin(2025, 11, 18, 12, 0), tick=False):
        services.issue_propose_plan(
            access=access(team["pm"], project),
            issue=issue,
            owner=team["sme"],
            steps="Fix.",
            target_date=dt.date(2025, 11, 30),
        )
    issue.refresh_from_db()
    assert issue.plan_breach_count == 1
    assert issue.hours_to_first_plan == 11  # Monday 8h + Tuesday 3h
    assert issue.plan_met is False


@pytest.mark.django_db
def test_sending_a_plan_back_restarts_the_plan_clock(raise_issue, team, project):
    with time_machine.travel(berlin(2025, 11, 17, 9, 0), tick=False):
        issue = drive(raise_issue(severity=Severity.MAJOR), IssueStatus.PLAN_PROPOSED, team, project)
        first_proposed = issue.first_plan_proposed_at
    with time_machine.travel(berlin(2025, 11, 19, 14, 0), tick=False):
        plan = issue.plans.get(status="proposed")
        issue = services.issue_send_back_plan(
            access=access(team["lead"], project), issue=issue, plan=plan, note="Vague."
        )
    assert issue.status == IssueStatus.ACKNOWLEDGED
    assert issue.plan_by == berlin(2025, 11, 24, 14, 0)  # 24 business hours later
    assert issue.plan_proposed_at is None
    assert issue.first_plan_proposed_at == first_proposed


@pytest.mark.django_db
def test_reopening_goes_back_to_acknowledged_with_a_new_plan_clock(raise_issue, team, project):
    with time_machine.travel(berlin(2025, 11, 3, 9, 0), tick=False):
        issue = drive(raise_issue(severity=Severity.CRITICAL), IssueStatus.CLOSED, team, project)
    with time_machine.travel(berlin(2025, 11, 20, 16, 0), tick=False):
        issue = services.issue_reopen(
            access=access(team["dm"], project), issue=issue, reason="It happened again."
        )
    assert issue.status == IssueStatus.ACKNOWLEDGED
    assert issue.reopened_count == 1
    assert (issue.resolved_at, issue.closed_at, issue.resolution_summary) == (None, None, "")
    assert issue.acknowledged_at is not None  # no second acknowledgement owed
    assert issue.plan_by == berlin(2025, 11, 21, 16, 0)


# The sweep --------------------------------------------------------------------------------


@pytest.fixture
def ladder(project, team, cdmo_admin, sponsor_exec):
    cdmo_exec = UserFactory(
        organization=project.cdmo, org_role=OrgRole.EXECUTIVE, email="coo@northbridge.test"
    )
    sponsor_team_exec = ProjectMemberFactory(
        project=project,
        role=TeamRole.SPONSOR_EXECUTIVE,
        user=UserFactory(organization=project.sponsor, email="vp@acme.test"),
    ).user
    return {
        "admin": cdmo_admin,
        "cdmo_exec": cdmo_exec,
        "sponsor_exec": sponsor_exec,
        "team_exec": sponsor_team_exec,
    }


@pytest.mark.django_db
def test_the_ladder_names_the_right_people(project, team, ladder):
    emails = lambda level: {u.email for u in escalation_recipients(project=project, level=level)}  # noqa: E731
    assert emails(0) == {team["pm"].email}
    assert emails(1) == {ladder["admin"].email}
    assert emails(2) == {ladder["cdmo_exec"].email, ladder["sponsor_exec"].email, ladder["team_exec"].email}


@pytest.mark.django_db
def test_sweep_records_breaches_once_and_climbs_the_ladder(
    raise_issue, team, project, ladder, django_capture_on_commit_callbacks
):
    with time_machine.travel(berlin(2025, 11, 17, 9, 0), tick=False):
        issue = raise_issue(severity=Severity.CRITICAL)
    mail.outbox.clear()

    # 13:30: acknowledgement overdue (due 13:00) -> CDMO management.
    with django_capture_on_commit_callbacks(execute=True):
        breaches = services.issue_mark_breaches(now=berlin(2025, 11, 17, 13, 30))
    assert [(b.issue_id, b.clock) for b in breaches] == [(issue.pk, "acknowledge")]
    issue.refresh_from_db()
    assert issue.acknowledge_breached_at == berlin(2025, 11, 17, 13, 30)
    assert issue.escalation_level == 1
    assert [m.to for m in mail.outbox] == [[ladder["admin"].email]]
    assert "Escalated to you" in mail.outbox[0].subject

    # Running again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_mark_breaches(now=berlin(2025, 11, 17, 14, 0)) == []
    assert len(mail.outbox) == 1

    # 17:05: the plan (due 17:00) is overdue too -> executives on both sides.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        breaches = services.issue_mark_breaches(now=berlin(2025, 11, 17, 17, 5))
    assert [(b.issue_id, b.clock) for b in breaches] == [(issue.pk, "plan")]
    issue.refresh_from_db()
    assert (issue.escalation_level, issue.plan_breach_count) == (2, 1)
    assert sorted(e for m in mail.outbox for e in m.to) == sorted(
        [ladder["cdmo_exec"].email, ladder["sponsor_exec"].email, ladder["team_exec"].email]
    )
    kinds = list(IssueEvent.objects.filter(issue=issue).values_list("kind", flat=True))
    assert kinds == ["raised", "deadline_breached", "escalated", "deadline_breached", "escalated"]
    breach_events = IssueEvent.objects.filter(issue=issue, kind=EventKind.DEADLINE_BREACHED)
    assert all(e.actor_id is None for e in breach_events)


@pytest.mark.django_db
def test_sweep_at_the_top_of_the_ladder_records_without_escalating(raise_issue, team):
    with time_machine.travel(berlin(2025, 11, 17, 9, 0), tick=False):
        issue = raise_issue(severity=Severity.CRITICAL)
        issue = services.issue_escalate(issue=issue, reason="1", actor=team["lead"])
        issue = services.issue_escalate(issue=issue, reason="2", actor=team["lead"])
    breaches = services.issue_mark_breaches(now=berlin(2025, 11, 18, 9, 0))
    assert {b.clock for b in breaches} == {"acknowledge", "plan"}
    issue.refresh_from_db()
    assert issue.escalation_level == 2
    assert IssueEvent.objects.filter(issue=issue, kind=EventKind.ESCALATED).count() == 2


@pytest.mark.django_db
def test_sweep_ignores_met_and_finished_clocks(raise_issue, team, project):
    with time_machine.travel(berlin(2025, 11, 17, 9, 0), tick=False):
        acknowledged = drive(raise_issue(title="Acknowledged"), IssueStatus.ACKNOWLEDGED, team, project)
        planned = drive(raise_issue(title="Planned"), IssueStatus.PLAN_PROPOSED, team, project)
        closed = drive(raise_issue(title="Closed"), IssueStatus.CLOSED, team, project)
    breaches = services.issue_mark_breaches(now=berlin(2025, 11, 25, 9, 0))
    # Only the acknowledged issue still owes something: its plan.
    assert [(b.issue_id, b.clock) for b in breaches] == [(acknowledged.pk, "plan")]
    for issue in (planned, closed):
        issue.refresh_from_db()
        assert issue.acknowledge_breached_at is None and issue.plan_breach_count == 0


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 12])
def test_sweep_without_escalation_is_set_based(size, project, team, django_assert_num_queries):
    due = berlin(2025, 11, 17, 10, 0)
    for n in range(size):
        ServiceIssueFactory(
            project=project,
            raised_by=team["lead"],
            raised_at=due - dt.timedelta(hours=2),
            acknowledge_by=due,
            plan_by=due,
            title=f"Issue {n}",
        )
    # Savepoint, per clock a locking select and an update, one load, one bulk insert, one to find
    # the webhook subscriptions that hear of the breaches (whatever their number), release.
    with django_assert_num_queries(9):
        breaches = services.issue_mark_breaches(now=due + dt.timedelta(minutes=1), escalate=False)
    assert len(breaches) == 2 * size


@pytest.mark.django_db
def test_manual_escalation_by_the_sponsor_emails_cdmo_management(
    raise_issue, team, ladder, django_capture_on_commit_callbacks
):
    issue = raise_issue()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issue = services.issue_escalate(issue=issue, reason="Nobody answers the phone.", actor=team["dm"])
    assert issue.escalation_level == 1
    assert [m.to for m in mail.outbox] == [[ladder["admin"].email]]
    body = mail.outbox[0].body
    assert "Nobody answers the phone." in body and team["dm"].full_name in body
    event = IssueEvent.objects.get(issue=issue, kind=EventKind.ESCALATED)
    assert (event.actor, event.data["level"], event.data["automatic"]) == (team["dm"], 1, False)


@pytest.mark.django_db
def test_escalation_needs_a_reason(raise_issue, team):
    with pytest.raises(ServiceError, match="reason"):
        services.issue_escalate(issue=raise_issue(), reason="  ", actor=team["lead"])
