"""Who is emailed at each step, what they read, and that internal notes never travel."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from issues import services
from issues.models import PlanStatus, Severity

from .conftest import access

BERLIN = ZoneInfo("Europe/Berlin")
SECRET = "INTERNAL-ONLY: reviewer on sick leave"


@pytest.fixture
def emails(django_capture_on_commit_callbacks):
    """Run queued email tasks (eager Celery) when the service's transaction commits."""

    def _run(call):
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        return result

    return _run


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 11, 17, 9, 0, tzinfo=BERLIN), tick=False)
def test_raising_emails_the_cdmo_project_manager_with_the_deadlines(emails, raise_issue, team):
    issue = emails(lambda: raise_issue(severity=Severity.CRITICAL))
    assert recipients() == [team["pm"].email]
    message = mail.outbox[0]
    assert message.subject == f"[ACM-101] Critical service issue raised: {issue.title}"
    # The PM works in Berlin: 9:00 + 4 business hours.
    assert "Acknowledge by Mon 17 Nov 2025, 13:00 CET (4 business hours)" in message.body
    assert "Europe/Berlin" in message.body
    assert issue.get_absolute_url() in message.body
    html = message.alternatives[0][0]
    assert "Acknowledge by Mon 17 Nov 2025, 13:00 CET" in html


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 11, 17, 9, 0, tzinfo=BERLIN), tick=False)
def test_times_in_emails_are_in_each_readers_zone(emails, raise_issue, team, project):
    team["lead"].time_zone = "America/New_York"
    team["lead"].save()
    issue = raise_issue(severity=Severity.CRITICAL)
    mail.outbox.clear()
    emails(lambda: services.issue_acknowledge(access=access(team["pm"], project), issue=issue))
    assert recipients() == [team["lead"].email]
    # Plan due 17:00 Berlin = 11:00 in New York.
    assert "A resolution plan is due by Mon 17 Nov 2025, 11:00 EST" in mail.outbox[0].body


@pytest.mark.django_db
def test_each_step_reaches_the_other_side_and_not_the_actor(emails, raise_issue, team, project):
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    issue = raise_issue()
    expectations = []

    mail.outbox.clear()
    emails(lambda: services.issue_acknowledge(access=pm, issue=issue, note="On it."))
    expectations.append(("acknowledged", recipients(), [team["lead"].email]))

    mail.outbox.clear()
    plan = emails(
        lambda: services.issue_propose_plan(
            access=pm,
            issue=issue,
            owner=team["sme"],
            steps="Fix the SOP.",
            target_date=dt.date.today() + dt.timedelta(days=9),
        )
    )
    expectations.append(("plan proposed", recipients(), [team["lead"].email]))
    assert "Owner: Anika Schulz" in mail.outbox[0].body

    mail.outbox.clear()
    emails(lambda: services.issue_accept_plan(access=lead, issue=issue, plan=plan))
    expectations.append(("plan accepted", recipients(), sorted([team["pm"].email, team["sme"].email])))

    mail.outbox.clear()
    emails(lambda: services.issue_resolve(access=pm, issue=issue, summary="SOP updated."))
    expectations.append(("resolved", recipients(), [team["lead"].email]))
    assert "Please confirm the issue is resolved" in mail.outbox[0].body

    mail.outbox.clear()
    emails(lambda: services.issue_confirm_closed(access=lead, issue=issue))
    expectations.append(("closed", recipients(), [team["pm"].email]))

    for step, got, expected in expectations:
        assert got == expected, step


@pytest.mark.django_db
def test_the_person_who_raised_it_hears_back_too(emails, raise_issue, team, project, decision_maker):
    issue = raise_issue(user=decision_maker)
    mail.outbox.clear()
    emails(lambda: services.issue_acknowledge(access=access(team["pm"], project), issue=issue))
    assert recipients() == sorted([decision_maker.email, team["lead"].email])


@pytest.mark.django_db
def test_public_notes_go_to_the_other_side(emails, raise_issue, team, project):
    issue = raise_issue()
    mail.outbox.clear()
    emails(
        lambda: services.issue_add_note(
            access=access(team["sme"], project), issue=issue, text="Update: batch record found."
        )
    )
    assert recipients() == [team["lead"].email]
    mail.outbox.clear()
    emails(lambda: services.issue_add_note(access=access(team["lead"], project), issue=issue, text="Thanks."))
    assert recipients() == [team["pm"].email]


@pytest.mark.django_db
def test_internal_notes_never_reach_anyone_by_email(
    emails, raise_issue, team, project, cdmo_admin, sponsor_exec
):
    """A whole life of an issue with internal notes at every stage: no email carries them."""
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    issue = emails(lambda: raise_issue())
    note = lambda: services.issue_add_note(access=pm, issue=issue, text=SECRET, internal=True)  # noqa: E731

    emails(note)
    emails(lambda: services.issue_acknowledge(access=pm, issue=issue))
    emails(note)
    plan = emails(
        lambda: services.issue_propose_plan(
            access=pm,
            issue=issue,
            owner=team["pm"],
            steps="Steps.",
            target_date=dt.date.today() + dt.timedelta(days=5),
        )
    )
    emails(note)
    emails(lambda: services.issue_send_back_plan(access=lead, issue=issue, plan=plan, note="No."))
    emails(lambda: services.issue_escalate(issue=issue, reason="Slow.", actor=team["lead"]))
    emails(note)
    emails(lambda: services.issue_mark_breaches(now=issue.plan_by + dt.timedelta(days=30)))
    issue.refresh_from_db()
    emails(
        lambda: services.issue_propose_plan(
            access=pm,
            issue=issue,
            owner=team["pm"],
            steps="Better.",
            target_date=dt.date.today() + dt.timedelta(days=5),
        )
    )
    emails(note)
    plan = issue.plans.get(status=PlanStatus.PROPOSED)
    emails(lambda: services.issue_accept_plan(access=lead, issue=issue, plan=plan))
    emails(lambda: services.issue_resolve(access=pm, issue=issue, summary="Done."))
    emails(note)
    emails(lambda: services.issue_reopen(access=lead, issue=issue, reason="Not done."))

    assert len(mail.outbox) >= 10
    for message in mail.outbox:
        bodies = [message.subject, message.body, *(content for content, _ in message.alternatives)]
        assert not any(SECRET in text for text in bodies), f"internal note leaked to {message.to}"
    sponsor_addresses = {team["lead"].email, team["dm"].email, sponsor_exec.email}
    assert sponsor_addresses & set(recipients()), "the sponsor did get the public emails"


@pytest.mark.django_db
def test_emails_keep_apostrophes_readable_in_text(emails, raise_issue, team):
    emails(lambda: raise_issue(title="CoA isn't here", description="We can't release."))
    message = mail.outbox[0]
    assert "CoA isn't here" in message.subject
    assert "We can't release." in message.body
    assert "&#x27;" not in message.body


@pytest.mark.django_db
def test_a_project_without_a_pm_alerts_cdmo_management(emails, project, sponsor_lead, cdmo_admin):
    emails(
        lambda: services.issue_raise(
            access=access(sponsor_lead, project),
            category="schedule",
            severity="major",
            title="Nobody to tell",
            description="No PM on the team.",
            desired_outcome="A PM.",
        )
    )
    assert recipients() == [cdmo_admin.email]


@pytest.mark.django_db
def test_a_retried_task_tells_nobody_twice(emails, raise_issue, team):
    from issues.models import IssueEvent
    from issues.tasks import send_issue_event_emails
    from portal.notifications.models import Notification

    issue = emails(lambda: raise_issue())
    event = IssueEvent.objects.get(issue=issue, kind="raised")
    sent = len(mail.outbox)
    assert emails(lambda: send_issue_event_emails(event.pk)) == 0
    assert len(mail.outbox) == sent == 1
    bell = Notification.objects.get(dedupe_key=f"issue-event:{event.pk}")
    assert (bell.recipient, bell.kind, bell.url) == (team["pm"], "issue.raised", issue.get_absolute_url())


@pytest.mark.django_db
def test_the_escalation_email_names_the_rung(emails, raise_issue, team, cdmo_admin):
    issue = raise_issue()
    mail.outbox.clear()
    emails(
        lambda: services.issue_escalate(issue=issue, reason="Three reminders, no answer.", actor=team["lead"])
    )
    message = mail.outbox[0]
    assert message.to == [cdmo_admin.email]
    assert "escalated to CDMO management (level 1 of the escalation ladder)" in message.body
    assert "Three reminders, no answer." in message.body


@pytest.mark.django_db
@pytest.mark.parametrize("severity", [Severity.CRITICAL, Severity.MAJOR])
def test_a_critical_or_major_issue_reaches_cdmo_management_at_once(
    emails, raise_issue, team, cdmo_admin, severity
):
    issue = emails(lambda: raise_issue(severity=severity))
    assert recipients() == sorted([team["pm"].email, cdmo_admin.email])
    assert all(message.subject.endswith(issue.title) for message in mail.outbox)
    assert issue.escalation_level == 0  # the ladder itself is not climbed: only who hears changes


@pytest.mark.django_db
def test_a_minor_issue_reaches_only_the_project_manager(emails, raise_issue, team, cdmo_admin):
    emails(lambda: raise_issue(severity=Severity.MINOR))
    assert recipients() == [team["pm"].email]
