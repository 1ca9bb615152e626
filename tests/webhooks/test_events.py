"""The domain apps' services send their events in their transactions, and what a payload says
is read from the record when it is sent: never CDMO-internal content, never draft minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from integration.webhooks import sending
from integration.webhooks.models import WebhookDelivery
from issues.services import issue_escalate, issue_mark_breaches
from meetings.models import MeetingKind, MeetingStatus
from meetings.services import (
    InviteeSpec,
    meeting_cancel,
    meeting_confirm_minutes,
    meeting_request_correction,
    meeting_schedule,
)
from oversight.monitoring.services import sweep
from portal.core.events import emit
from portal.core.queue import held
from projects.models import DecisionRequest, ProjectMember, TeamRole
from projects.selectors import access_for
from projects.services import decision_resolve
from tests.factories.issues import IssueEventFactory, ServiceIssueFactory
from tests.factories.meetings import MeetingFactory, held_meeting
from tests.factories.projects import staff_project
from tests.factories.webhooks import WebhookSubscriptionFactory
from tests.projects.update_helpers import published_update

pytestmark = pytest.mark.django_db


def _deliver_all(receiver, django_capture_on_commit_callbacks, action):
    with django_capture_on_commit_callbacks(execute=True):
        action()
    return {r.path: r.json for r in receiver.received}


def test_an_escalated_issue_tells_both_sides_without_the_cdmo_internal_notes(
    project, sponsor_lead, cdmo_pm, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(
        organization=project.sponsor, url=f"{receiver.url}/sponsor", events=["issue.escalated"]
    )
    WebhookSubscriptionFactory(
        organization=project.cdmo, url=f"{receiver.url}/cdmo", events=["issue.escalated"]
    )
    issue = ServiceIssueFactory(project=project, raised_by=sponsor_lead, title="Batch record late")
    IssueEventFactory(issue=issue, actor=cdmo_pm, is_internal=True, note="INTERNAL-ONLY: QA is understaffed")
    bodies = _deliver_all(
        receiver,
        django_capture_on_commit_callbacks,
        lambda: issue_escalate(issue=issue, reason="Nobody answered for a week.", actor=sponsor_lead),
    )
    assert set(bodies) == {"/hooks/sponsor", "/hooks/cdmo"}
    for body in bodies.values():
        assert body["event"] == "issue.escalated"
        assert body["subject"]["title"] == "Batch record late"
        assert body["subject"]["escalation_level"] == 1
    assert all("INTERNAL-ONLY" not in r.body.decode() for r in receiver.received)


def test_a_breach_found_by_the_sweep_is_an_event(
    project, sponsor_lead, cdmo_pm, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url, events=["issue.breached"])
    raised = timezone.now() - dt.timedelta(days=5)
    issue = ServiceIssueFactory(project=project, raised_by=sponsor_lead, raised_at=raised)
    bodies = _deliver_all(
        receiver, django_capture_on_commit_callbacks, lambda: issue_mark_breaches(escalate=False)
    )
    assert [b["subject"]["id"] for b in bodies.values()] == [issue.pk]
    assert bodies["/hooks"]["subject"]["acknowledge_breached_at"] is not None


def test_minutes_reopened_as_a_draft_are_not_sent_with_a_late_delivery(
    project, cdmo_pm, sponsor_lead, receiver
):
    """ "minutes.sent" written, then the sponsor asks for a correction and the CDMO starts
    rewriting: the delivery sent now says the minutes are in draft and carries no summary."""
    WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    with transaction.atomic():
        emit("minutes.sent", project_id=project.pk, subject=meeting)
    meeting_request_correction(
        access=access_for(user=sponsor_lead, project=project), meeting=meeting, note="The yield was 3.1 g/L."
    )
    type(meeting).objects.filter(pk=meeting.pk).update(summary="DRAFT-ONLY: still arguing about the yield")
    sending.attempt(WebhookDelivery.objects.get().pk)
    (request,) = receiver.received
    assert request.json["subject"]["status"] == "minutes_draft"
    assert request.json["subject"]["minutes_summary"] is None
    assert "DRAFT-ONLY" not in request.body.decode()


def test_a_cancelled_meeting_and_a_raised_flag_are_events(
    project, cdmo_pm, sponsor_lead, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(
        organization=project.sponsor, url=receiver.url, events=["meeting.cancelled", "flag.raised"]
    )
    meeting = MeetingFactory(project=project, organizer=cdmo_pm)
    _deliver_all(
        receiver,
        django_capture_on_commit_callbacks,
        lambda: meeting_cancel(
            access=access_for(user=cdmo_pm, project=project), meeting=meeting, reason="Clash"
        ),
    )
    assert [(b.json["event"], b.json["subject"]["id"]) for b in receiver.received] == [
        ("meeting.cancelled", meeting.pk)
    ]

    stale = staff_project(sponsor=project.sponsor, start_date=timezone.localdate() - dt.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        sweep(notify=False)
    flags = [r.json for r in receiver.received if r.json["event"] == "flag.raised"]
    assert flags and {f["project"]["id"] for f in flags} <= {project.pk, stale.pk}
    assert any(f["project"]["id"] == stale.pk and f["subject"]["kind"] == "stale_update" for f in flags)


def test_a_decision_asked_and_made_are_events(
    project, cdmo_pm, sponsor_lead, decision_maker, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(organization=project.sponsor, url=receiver.url)
    needed_by = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    item = {
        "title": "Which resin for GMP-01?",
        "needed_by": needed_by,
        "source_decision": None,
        "options": [],
    }
    with django_capture_on_commit_callbacks(execute=True):
        update = published_update(cdmo_pm, project, decisions_needed=[item])
    decision = DecisionRequest.objects.get(update=update)
    with django_capture_on_commit_callbacks(execute=True):
        decision_resolve(
            access=access_for(user=decision_maker, project=project), decision=decision, note="Eshmuno A."
        )
    assert sorted((r.json["event"], r.json["subject"]["id"]) for r in receiver.received) == [
        ("decision.decided", decision.pk),
        ("decision.requested", decision.pk),
        ("update.published", update.pk),
    ]
    assert receiver.received[-1].json["subject"]["status"] == "decided"
    # One event id per event: the two events about the decision are told apart.
    assert len({r.json["id"] for r in receiver.received}) == 3


def test_a_replayed_past_tells_nobody(project, cdmo_pm, sponsor_lead):
    """The demo replays history through the services inside `held()`: no delivery is written."""
    WebhookSubscriptionFactory(organization=project.sponsor)
    with held():
        published_update(cdmo_pm, project)
    assert not WebhookDelivery.objects.exists()


def test_a_scheduled_meeting_confirmed_minutes_and_a_cleared_flag_are_events(
    project, cdmo_pm, sponsor_lead, receiver, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(
        organization=project.sponsor,
        url=receiver.url,
        events=["meeting.scheduled", "minutes.confirmed", "flag.raised", "flag.cleared"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = meeting_schedule(
            access=access_for(user=cdmo_pm, project=project),
            kind=MeetingKind.WEEKLY,
            title="Weekly call",
            starts_at=timezone.now() + dt.timedelta(days=2),
            duration_minutes=30,
            video_url="https://teams.example.com/l/weekly",
            invitees=[InviteeSpec(user=sponsor_lead)],
        )
    sent = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_confirm_minutes(access=access_for(user=sponsor_lead, project=project), meeting=sent)
    assert [(r.json["event"], r.json["subject"]["id"]) for r in receiver.received] == [
        ("meeting.scheduled", scheduled.pk),
        ("minutes.confirmed", sent.pk),
    ]
    assert receiver.received[1].json["subject"]["minutes_summary"] == "Reviewed progress since last call."

    stale = staff_project(sponsor=project.sponsor, start_date=timezone.localdate() - dt.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        sweep(notify=False)
    raised = {r.json["subject"]["id"] for r in receiver.received if r.json["event"] == "flag.raised"}
    stale_pm = ProjectMember.objects.get(project=stale, role=TeamRole.PROJECT_MANAGER).user
    published_update(stale_pm, stale)
    with django_capture_on_commit_callbacks(execute=True):
        sweep(notify=False)
    cleared = [r.json for r in receiver.received if r.json["event"] == "flag.cleared"]
    assert any(c["subject"]["kind"] == "stale_update" and c["subject"]["cleared_at"] for c in cleared)
    assert {c["subject"]["id"] for c in cleared} <= raised
