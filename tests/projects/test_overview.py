"""The project overview: one panel per thing a project lead needs first, each linking on.

Run frozen on a Tuesday (NOW); dates are written relative to it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from issues.models import IssueStatus
from issues.models import Severity as IssueSeverity
from meetings.models import MeetingKind, MeetingStatus, Rsvp
from oversight.monitoring.models import FlagKind
from oversight.monitoring.models import Severity as FlagSeverity
from projects import overview as overview_registry
from projects.models import DecisionRequest, MilestoneStatus, Side, TeamRole
from projects.overview import overview_panels, register_panel
from projects.selectors import access_for
from tests.factories.issues import ServiceIssueFactory
from tests.factories.meetings import InviteeFactory, MeetingFactory
from tests.factories.monitoring import FlagFactory
from tests.factories.projects import MilestoneFactory, ProjectFactory, StatusUpdateFactory

NOW = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)  # a Tuesday
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _overview(client, user, project) -> str:
    client.force_login(user)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _panel(body: str, element_id: str) -> str:
    """The HTML of one panel (from its opening tag to the end of its section)."""
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</section>", start)]


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


# --- Latest update ---------------------------------------------------------------------------


def test_latest_update_shows_rag_per_dimension_summary_author_and_links(
    client, project, cdmo_pm, sponsor_lead
):
    StatusUpdateFactory(project=project, created_by=cdmo_pm, published=True, title="Week 48: old news")
    latest = StatusUpdateFactory(
        project=project,
        created_by=cdmo_pm,
        published=True,
        period_end=TODAY,
        title="Week 49: GMP-01 slips a week",
        overall_rag="amber",
        schedule_rag="red",
        summary="Media lot failed QC; GMP-01 moves by a week.",
    )
    StatusUpdateFactory(project=project, created_by=cdmo_pm, period_end=_days(7), title="Draft in progress")

    for viewer in (sponsor_lead, cdmo_pm):
        panel = _panel(_overview(client, viewer, project), "overview-update")
        assert "Week 49: GMP-01 slips a week" in panel and "old news" not in panel
        assert "Draft in progress" not in panel  # the overview shows the published record only
        assert "rag-cell overall rag-amber" in panel and "rag-cell rag-red" in panel
        for label in ("Schedule", "Budget", "Quality", "Supply"):
            assert label in panel
        assert "Media lot failed QC" in panel
        assert "posted by Lena Hoffmann" in panel
        assert latest.get_absolute_url() in panel
        assert reverse("projects:updates", args=[project.pk]) in panel


def test_header_status_and_panel_show_the_same_update_on_every_project_page(client, project, cdmo_pm):
    # Two updates for the same period published at the same (frozen) moment: the later one leads,
    # on the overview (where the header reuses the panel's row) as on the other tabs.
    StatusUpdateFactory(
        project=project, created_by=cdmo_pm, published=True, title="First of two", overall_rag="red"
    )
    StatusUpdateFactory(
        project=project, created_by=cdmo_pm, published=True, title="Second of two", overall_rag="green"
    )
    header = 'title="Overall status in the latest update: Second of two"'
    body = _overview(client, cdmo_pm, project)
    assert header in body and "First of two" not in body
    assert "Second of two" in _panel(body, "overview-update")
    tab = client.get(reverse("projects:team", args=[project.pk])).content.decode()
    assert header in tab


def test_no_update_yet_invites_the_author_to_post_and_tells_the_sponsor_what_comes(
    client, project, cdmo_pm, sponsor_lead
):
    start = reverse("projects:update_start", args=[project.pk])
    panel = _panel(_overview(client, cdmo_pm, project), "overview-update")
    assert "No update yet" in panel and "Post the first weekly update" in panel and start in panel

    panel = _panel(_overview(client, sponsor_lead, project), "overview-update")
    assert "No update yet" in panel and "the first one will show here" in panel
    assert start not in panel


# --- Next milestones -------------------------------------------------------------------------


def test_next_milestones_planned_against_forecast_with_slip_and_links(client, project, sponsor_lead):
    slipping = MilestoneFactory(
        project=project, title="GMP batch GMP-01", baseline_date=_days(10), forecast_date=_days(24)
    )
    past_due = MilestoneFactory(
        project=project, title="Tech transfer package", baseline_date=_days(-5), forecast_date=_days(-2)
    )
    on_plan = [
        MilestoneFactory(project=project, title=f"Stability pull T{n}", baseline_date=_days(30 + n))
        for n in range(4)
    ]
    MilestoneFactory(
        project=project,
        title="Engineering batch done",
        baseline_date=_days(-20),
        forecast_date=_days(-20),
        actual_date=_days(-18),
        status=MilestoneStatus.DONE,
    )

    panel = _panel(_overview(client, sponsor_lead, project), "overview-milestones")
    assert "Engineering batch done" not in panel
    # Soonest forecast first: the past-due one leads, five shown, the sixth counted.
    assert (
        panel.index("Tech transfer package")
        < panel.index("GMP batch GMP-01")
        < panel.index("Stability pull T0")
    )
    assert "Stability pull T3" not in panel and "1 more open milestone" in panel
    assert f"Planned {_days(10):%-d %b %Y}" in panel and f"{_days(24):%-d %b %Y}" in panel
    assert "Slipping +14 days" in panel and "Past due" in panel
    assert slipping.get_absolute_url() in panel and past_due.get_absolute_url() in panel
    assert on_plan[0].get_absolute_url() in panel and "On baseline" in panel
    assert reverse("projects:milestones", args=[project.pk]) in panel
    # The slipping one is highlighted (amber under 15 days, red at 15 or past due).
    item = panel[panel.rindex("<li", 0, panel.index("GMP batch GMP-01")) :]
    assert item.startswith('<li class="overview-item is-amber"')
    item = panel[panel.rindex("<li", 0, panel.index("Tech transfer package")) :]
    assert item.startswith('<li class="overview-item is-red"')


def test_no_milestones_offers_adding_one_only_to_who_may(client, project, cdmo_pm, sponsor_lead):
    create = reverse("projects:milestone_create", args=[project.pk])
    panel = _panel(_overview(client, cdmo_pm, project), "overview-milestones")
    assert "No milestones to meet" in panel and create in panel
    panel = _panel(_overview(client, sponsor_lead, project), "overview-milestones")
    assert "No milestones to meet" in panel and create not in panel


# --- Open decisions --------------------------------------------------------------------------


def _decision(project, update, title, needed_by):
    return DecisionRequest.objects.create(project=project, update=update, title=title, needed_by=needed_by)


def test_open_decisions_count_due_dates_and_links(client, project, cdmo_pm, sponsor_lead):
    update = StatusUpdateFactory(project=project, created_by=cdmo_pm, published=True)
    late = _decision(project, update, "Approve the alternative resin", _days(-1))
    soon = _decision(project, update, "Confirm the fill volume", _days(5))
    for n in range(3):
        _decision(project, update, f"Later decision {n}", _days(20 + n))

    panel = _panel(_overview(client, sponsor_lead, project), "decisions-needed")
    assert '<span class="overview-count">5</span>' in panel
    assert panel.index("Approve the alternative resin") < panel.index("Confirm the fill volume")
    assert f"was needed {_days(-1):%-d %b %Y}" in panel and f"Needed by {_days(5):%-d %b %Y}" in panel
    assert late.get_absolute_url() in panel and soon.get_absolute_url() in panel
    assert "Later decision 2" not in panel and "1 more open decision" in panel
    assert reverse("projects:decisions") in panel


def test_no_open_decisions_tells_the_cdmo_how_to_ask_for_one(client, project, cdmo_pm, sponsor_lead):
    panel = _panel(_overview(client, cdmo_pm, project), "decisions-needed")
    assert "Nothing is waiting on the sponsor" in panel and "Ask for a decision" in panel
    panel = _panel(_overview(client, sponsor_lead, project), "decisions-needed")
    assert "Nothing is waiting on the sponsor" in panel and "Ask for a decision" not in panel


# --- Next meeting ----------------------------------------------------------------------------


def test_next_meeting_in_the_viewers_time_zone_with_reply_and_link(client, project, cdmo_pm, sponsor_lead):
    sponsor_lead.time_zone = "America/New_York"
    sponsor_lead.save(update_fields=["time_zone"])
    MeetingFactory(project=project, title="Last week's call", starts_at=NOW - dt.timedelta(days=7))
    MeetingFactory(
        project=project,
        title="Cancelled call",
        starts_at=NOW + dt.timedelta(hours=2),
        status=MeetingStatus.CANCELLED,
        cancelled_at=NOW,
        cancelled_by=cdmo_pm,
        cancellation_reason="Moved to Thursday",
    )
    nearest = MeetingFactory(
        project=project,
        kind=MeetingKind.GOVERNANCE,
        title="Steering committee Q4",
        starts_at=dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC),
    )
    InviteeFactory(meeting=nearest, user=sponsor_lead, side=Side.SPONSOR, rsvp=Rsvp.ACCEPTED)
    MeetingFactory(project=project, title="Weekly call", starts_at=NOW + dt.timedelta(days=9))

    panel = _panel(_overview(client, sponsor_lead, project), "overview-meeting")
    assert "Steering committee Q4" in panel and nearest.get_absolute_url() in panel
    assert "Cancelled call" not in panel and "Last week" not in panel
    assert "Thursday 10 December 2026, 10:00–11:00" in panel and "New York time" in panel
    assert "You accepted" in panel and "1 more scheduled after this" in panel
    assert reverse("meetings:project_meetings", args=[project.pk]) in panel

    # The organizer, in Berlin and not invited, sees the same meeting at their own time.
    cdmo_pm.time_zone = "Europe/Berlin"
    cdmo_pm.save(update_fields=["time_zone"])
    panel = _panel(_overview(client, cdmo_pm, project), "overview-meeting")
    assert "Thursday 10 December 2026, 16:00–17:00" in panel and "Berlin time" in panel
    assert "You accepted" not in panel


def test_a_meeting_under_way_is_still_the_next_meeting(client, project, cdmo_pm):
    MeetingFactory(project=project, title="Technical review", starts_at=NOW - dt.timedelta(minutes=30))
    panel = _panel(_overview(client, cdmo_pm, project), "overview-meeting")
    assert "Technical review" in panel and "Under way" in panel


def test_no_meeting_offers_scheduling_only_to_who_may(client, project, cdmo_pm, sponsor_exec):
    schedule = reverse("meetings:meeting_schedule", args=[project.pk])
    panel = _panel(_overview(client, cdmo_pm, project), "overview-meeting")
    assert "No meeting scheduled" in panel and schedule in panel
    # An executive sees the project but is not on its team: no scheduling.
    panel = _panel(_overview(client, sponsor_exec, project), "overview-meeting")
    assert "No meeting scheduled" in panel and schedule not in panel


# --- Open service issues ---------------------------------------------------------------------


def test_open_service_issues_by_severity_most_urgent_first(client, project, cdmo_pm, sponsor_lead):
    overdue = ServiceIssueFactory(
        project=project,
        title="No answer on the deviation",
        severity=IssueSeverity.MINOR,
        raised_at=NOW - dt.timedelta(days=3),
        acknowledge_by=NOW - dt.timedelta(days=2),
    )
    ServiceIssueFactory(
        project=project,
        title="Batch record late",
        severity=IssueSeverity.CRITICAL,
        status=IssueStatus.ACKNOWLEDGED,
        acknowledged_at=NOW - dt.timedelta(hours=5),
        raised_at=NOW - dt.timedelta(hours=6),
        acknowledge_by=NOW + dt.timedelta(hours=2),
        plan_by=NOW + dt.timedelta(hours=20),
    )
    for n in range(2):
        ServiceIssueFactory(project=project, title=f"Slow replies {n}", raised_at=NOW - dt.timedelta(hours=1))
    ServiceIssueFactory(
        project=project,
        title="Closed one",
        status=IssueStatus.CLOSED,
        acknowledged_at=NOW - dt.timedelta(days=9),
        raised_at=NOW - dt.timedelta(days=10),
        resolved_at=NOW - dt.timedelta(days=5),
        closed_at=NOW - dt.timedelta(days=4),
    )
    ServiceIssueFactory(project=ProjectFactory(cdmo=project.cdmo), title="Another sponsor's issue")

    panel = _panel(_overview(client, sponsor_lead, project), "overview-issues")
    assert '<span class="overview-count">4</span>' in panel
    assert "1 critical" in panel and "2 major" in panel and "1 minor" in panel
    assert "Closed one" not in panel and "Another sponsor" not in panel
    assert (
        panel.index("No answer on the deviation")
        < panel.index("Batch record late")
        < panel.index("Slow replies")
    )
    assert "Overdue by 2d" in panel and "Acknowledgement due" in panel and "Resolution plan due" in panel
    assert overdue.get_absolute_url() in panel
    assert reverse("issues:project_issues", args=[project.pk]) + "?status=active" in panel


def test_no_open_issues_offers_raising_one_to_the_sponsor_only(client, project, cdmo_pm, sponsor_lead):
    raise_url = reverse("issues:raise", args=[project.pk])
    panel = _panel(_overview(client, sponsor_lead, project), "overview-issues")
    assert "No open service issues" in panel and raise_url in panel
    panel = _panel(_overview(client, cdmo_pm, project), "overview-issues")
    assert "No open service issues" in panel and raise_url not in panel


# --- Open flags ------------------------------------------------------------------------------


def test_open_flags_with_plain_titles_critical_first(client, project, sponsor_lead):
    milestone = MilestoneFactory(project=project)
    FlagFactory(
        project=project,
        subject=milestone,
        kind=FlagKind.MILESTONE_SLIP,
        severity=FlagSeverity.WARNING,
        explanation="GMP-01 is forecast 14 days after its baseline.",
    )
    FlagFactory(project=project, explanation="ACM-101 has no sponsor decision-maker on the team.")
    FlagFactory(
        project=project,
        kind=FlagKind.STALE_UPDATE,
        explanation="Cleared long ago",
        raised_at=NOW - dt.timedelta(days=20),
        cleared_at=NOW - dt.timedelta(days=10),
    )

    panel = _panel(_overview(client, sponsor_lead, project), "overview-flags")
    assert '<span class="overview-count">2</span>' in panel
    assert panel.index("No decision-maker on the project") < panel.index("Milestone slipping")
    assert "GMP-01 is forecast 14 days after its baseline." in panel and "Cleared long ago" not in panel
    assert reverse("monitoring:project_flags", args=[project.pk]) in panel


def test_no_open_flags_says_what_is_watched(client, project, sponsor_lead):
    panel = _panel(_overview(client, sponsor_lead, project), "overview-flags")
    assert "No open flags" in panel and "clears by itself" in panel


# --- The page as a whole ---------------------------------------------------------------------


def test_panels_come_in_order_and_a_panel_may_leave_itself_out(monkeypatch, project, cdmo_pm):
    monkeypatch.setattr(overview_registry, "_entries", dict(overview_registry._entries))
    register_panel("test_hidden", order=1, template="x.html", context=lambda page: None)
    page = {"project": project, "access": access_for(user=cdmo_pm, project=project)}
    keys = [panel.key for panel in overview_panels(page)]
    assert keys == ["latest_update", "flags", "milestones", "next_meeting", "decisions", "service_issues"]


def _one_of_each(project, cdmo_pm, sponsor_lead, n: int) -> None:
    update = StatusUpdateFactory(project=project, created_by=cdmo_pm, published=True)
    for i in range(n):
        milestone = MilestoneFactory(
            project=project, baseline_date=_days(10 + i), forecast_date=_days(12 + i)
        )
        _decision(project, update, f"Decision {i}", _days(3 + i))
        meeting = MeetingFactory(project=project, starts_at=NOW + dt.timedelta(days=1 + i))
        InviteeFactory(meeting=meeting, user=sponsor_lead, side=Side.SPONSOR, team_role=TeamRole.SPONSOR_LEAD)
        ServiceIssueFactory(project=project, raised_at=NOW - dt.timedelta(hours=i))
        FlagFactory(
            project=project, subject=milestone, kind=FlagKind.MILESTONE_SLIP, severity=FlagSeverity.WARNING
        )


def test_overview_queries_do_not_grow_with_what_the_project_holds(
    client, project, cdmo_pm, sponsor_lead, django_assert_num_queries
):
    url = reverse("projects:detail", args=[project.pk])
    client.force_login(sponsor_lead)
    _one_of_each(project, cdmo_pm, sponsor_lead, 1)
    client.get(url)  # the first request after logging in does session bookkeeping
    # The session, the user and their organization; the project with its parties and its team in
    # one round trip; the six panels' reads in one round trip (the open flags serving the header's
    # badge too, the service issues their counts too); the unread notifications.
    with django_assert_num_queries(6):
        client.get(url)
    _one_of_each(project, cdmo_pm, sponsor_lead, 12)
    with django_assert_num_queries(6):
        body = client.get(url).content.decode()
    assert "more open milestone" in body and "more scheduled after this" in body and "more open flag" in body
