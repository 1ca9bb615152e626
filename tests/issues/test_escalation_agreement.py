"""The escalation ladder follows the working agreement in force: its CDMO escalation contact
joins CDMO management (rung 1), both contacts join the executives (rung 2), each once, active and
still on the team; the escalation email names the agreed steps. One query per rung, however many."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues import services
from issues.models import EventKind, IssueEvent
from issues.notifications import send_event_emails
from issues.selectors import escalation_recipients
from portal.accounts.models import OrgRole
from projects import services as project_services
from projects.models import ProjectMember, TeamRole
from tests.factories.organizations import UserFactory
from tests.factories.projects import ProjectMemberFactory

from .conftest import access

STEPS = "Call the other side's escalation contact within one business day; then the executives."


@pytest.fixture
def contacts(project, team):
    """An agreement in force naming a sponsor director and a CDMO site head, both on the team."""
    sponsor_contact = ProjectMemberFactory(
        project=project,
        role=TeamRole.SPONSOR_EXECUTIVE,
        user=UserFactory(organization=project.sponsor, full_name="Sara Director", email="director@acme.test"),
    ).user
    cdmo_contact = ProjectMemberFactory(
        project=project,
        role=TeamRole.SME,
        user=UserFactory(organization=project.cdmo, full_name="Tom Sitehead", email="site@northbridge.test"),
    ).user
    terms = project_services.AgreementTerms(
        update_cadence_days=14,
        question_response_days=3,
        response_hours={"critical": [4, 8], "major": [8, 24], "minor": [16, 40]},
        governance_every_weeks=4,
        governance_forum="Joint steering committee",
        sponsor_escalation=sponsor_contact,
        cdmo_escalation=cdmo_contact,
        escalation_steps=STEPS,
    )
    draft = project_services.agreement_draft(access=access(team["pm"], project), terms=terms)
    project_services.agreement_sign(access=access(team["lead"], project), agreement=draft)
    project_services.agreement_sign(access=access(team["pm"], project), agreement=draft)
    return {"sponsor": sponsor_contact, "cdmo": cdmo_contact}


def emails(project, level):
    return [u.email for u in escalation_recipients(project=project, level=level)]


@pytest.mark.django_db
def test_without_an_agreement_the_ladder_is_unchanged(project, team, cdmo_admin, sponsor_exec):
    assert emails(project, 1) == [cdmo_admin.email]
    assert set(emails(project, 2)) == {sponsor_exec.email}


@pytest.mark.django_db
def test_the_agreed_contacts_join_rungs_one_and_two_once(project, team, contacts, cdmo_admin, sponsor_exec):
    assert set(emails(project, 0)) == {team["pm"].email}
    assert set(emails(project, 1)) == {cdmo_admin.email, contacts["cdmo"].email}
    rung2 = emails(project, 2)
    # The sponsor contact is a team executive too: named once.
    assert sorted(rung2) == sorted({sponsor_exec.email, contacts["sponsor"].email, contacts["cdmo"].email})

    # A contact who left the team, or was deactivated, is not told.
    member = ProjectMember.objects.get(project=project, user=contacts["cdmo"])
    member.removed_at = timezone.now()
    member.save(update_fields=["removed_at"])
    contacts["sponsor"].is_active = False
    contacts["sponsor"].save(update_fields=["is_active"])
    assert set(emails(project, 1)) == {cdmo_admin.email}
    assert set(emails(project, 2)) == {sponsor_exec.email}


@pytest.mark.django_db
@pytest.mark.parametrize("extra_admins", [0, 6])
def test_one_query_per_rung(project, team, contacts, extra_admins):
    for i in range(extra_admins):
        UserFactory(organization=project.cdmo, org_role=OrgRole.ADMIN, email=f"admin{i}@northbridge.test")
        UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE, email=f"exec{i}@acme.test")
    for level in (0, 1, 2):
        with CaptureQueriesContext(connection) as queries:
            people = escalation_recipients(project=project, level=level)
        assert len(queries) == 1
        assert len(people) == len({p.pk for p in people})


def _escalate(project, team, django_capture_on_commit_callbacks):
    """Raise an issue and escalate it once; returns the queries of the escalation and of its
    emails' writing (the notifications; their deliveries, one task per person, run after)."""
    issue = services.issue_raise(
        access=access(team["lead"], project),
        severity="critical",
        title="Deviation notified nine days late",
        category="quality",
        description="We learned of the deviation from a batch record.",
        desired_outcome="Notice within 24 hours.",
        impact="Clinical supply at risk.",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with CaptureQueriesContext(connection) as queries:
            services.issue_escalate(issue=issue, reason="Nobody answers the phone.", actor=team["lead"])
            event = IssueEvent.objects.filter(issue=issue, kind=EventKind.ESCALATED).latest("pk")
            send_event_emails(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    return len(queries)


@pytest.mark.django_db
def test_escalating_tells_the_contacts_the_agreed_steps_in_bounded_queries(
    project, team, contacts, cdmo_admin, django_capture_on_commit_callbacks
):
    few = _escalate(project, team, django_capture_on_commit_callbacks)
    told = {address for message in mail.outbox for address in message.to}
    assert told == {cdmo_admin.email, contacts["cdmo"].email}
    message = next(m for m in mail.outbox if m.to == [contacts["cdmo"].email])
    assert "What the working agreement says to do when escalating:" in message.body and STEPS in message.body
    assert "What the working agreement says to do when escalating" in message.alternatives[0][0]

    for i in range(6):
        UserFactory(organization=project.cdmo, org_role=OrgRole.ADMIN, email=f"admin{i}@northbridge.test")
    many = _escalate(project, team, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 8
    # The escalation path's queries do not grow with the people at the rung.
    assert many == few, (few, many)
