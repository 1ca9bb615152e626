"""Hostile input the portal must refuse cleanly: formula cells in CSV exports, far dates,
NUL bytes in URLs and forms, control characters in single-line fields. Each test here
failed before the fix (a 500, an accepted value or an executable cell)."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from meetings.models import Meeting
from portal.core.csv import neutralise_cell
from projects.models import Milestone
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.projects import MilestoneFactory
from tests.http import text

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "-2+3+cmd|' /C calc'!A0"
NOW = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _export_rows(client) -> list[list[str]]:
    response = client.get(reverse("monitoring:dashboard_csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(text(response))))


def test_export_neutralises_formula_names_of_projects_and_organizations(login, project, sponsor_lead):
    project.name = HYPERLINK
    project.code = "@SUM(A1)"
    project.save()
    project.sponsor.name = DDE
    project.sponsor.save()
    project.cdmo.name = "+1+1"
    project.cdmo.save()
    header, row = _export_rows(login(sponsor_lead))
    assert row[:4] == ["'@SUM(A1)", "'" + HYPERLINK, "'" + DDE, "'+1+1"]


def test_export_keeps_numbers_it_computes_as_numbers(login, project, sponsor_lead):
    MilestoneFactory(
        project=project,
        baseline_date=datetime.date(2026, 7, 1),
        forecast_date=datetime.date(2026, 6, 20),
    )
    header, row = _export_rows(login(sponsor_lead))
    slip = row[header.index("Worst milestone slip (days)")]
    assert not slip.startswith("'")
    assert int(slip or 0) <= 0


@pytest.mark.parametrize("value", ["=1+1", "+1", "-x", "@x", "\tx", "\rx"])
def test_every_formula_trigger_is_neutralised(value):
    assert neutralise_cell(value) == "'" + value


def test_no_csv_is_written_outside_the_shared_writer():
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for package in ("portal", "projects", "meetings", "issues")
        for path in (root / package).rglob("*.py")
        if "csv.writer(" in path.read_text() and path != root / "portal" / "core" / "csv.py"
    ]
    assert offenders == []


# Far dates -----------------------------------------------------------------------------------


def _milestone_post(milestone, **changes):
    data = {
        "status": milestone.status,
        "forecast_date": milestone.forecast_date.isoformat(),
        "actual_date": "",
        "reason": "Supplier moved the slot",
        "version": milestone.version,
        "title": milestone.title,
        "kind": milestone.kind,
        "owner": "",
        "notes": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01", "1989-12-31", "2101-01-01"])
def test_far_forecast_is_a_form_error_with_the_typed_date_kept(login, project, cdmo_pm, far):
    milestone = MilestoneFactory(project=project)
    url = reverse("projects:milestone", kwargs={"project_id": project.pk, "milestone_id": milestone.pk})
    response = login(cdmo_pm).post(url, _milestone_post(milestone, forecast_date=far))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a date between 01 Jan 1990 and 31 Dec 2100." in body
    assert f'value="{far}"' in body
    milestone.refresh_from_db()
    assert milestone.forecast_date != datetime.date.fromisoformat(far)


def test_dates_at_the_edges_of_the_window_are_accepted(login, project, cdmo_pm):
    milestone = MilestoneFactory(project=project)
    url = reverse("projects:milestone", kwargs={"project_id": project.pk, "milestone_id": milestone.pk})
    response = login(cdmo_pm).post(url, _milestone_post(milestone, forecast_date="2100-12-31"))
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.forecast_date == datetime.date(2100, 12, 31)


@pytest.mark.parametrize(
    "dates",
    [
        {"forecast_date": datetime.date(9999, 12, 31)},
        {"baseline_date": datetime.date(1, 1, 1)},
        {"actual_date": datetime.date(2101, 1, 1), "status": "done"},
    ],
)
def test_the_database_refuses_milestone_dates_outside_the_window(project, dates):
    # What the forms refuse can never be stored another way, so no page or feed meets it.
    with pytest.raises(IntegrityError, match="milestone_dates_in_window"), transaction.atomic():
        MilestoneFactory(project=project, title="Far away", **dates)


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:30:00+00:00"])
def test_the_database_refuses_meetings_outside_the_window(project, cdmo_pm, starts_at):
    meeting = MeetingFactory(project=project)
    with pytest.raises(IntegrityError, match="meeting_starts_in_date_window"), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=datetime.datetime.fromisoformat(starts_at))


def test_milestones_at_the_window_edges_render_in_the_tab_and_calendar_feeds(
    client, login, project, cdmo_pm, sponsor_lead
):
    MilestoneFactory(project=project, title="Far away", forecast_date=datetime.date(2100, 12, 31))
    MilestoneFactory(project=project, title="Long ago", baseline_date=datetime.date(1990, 1, 1))
    tab = login(cdmo_pm).get(reverse("projects:milestones", kwargs={"project_id": project.pk}))
    assert tab.status_code == 200
    assert "Far away" in tab.content.decode()
    for person in (cdmo_pm, sponsor_lead):
        feed = client.get(reverse("meetings:calendar_feed", kwargs={"token": person.calendar_token}))
        assert feed.status_code == 200
        # The feed covers a window of dates (meetings.feed): both lie outside it, and it still parses.
        assert b"Far away" not in feed.content and b"Long ago" not in feed.content
        assert Calendar.from_ical(feed.content).get("X-WR-CALNAME")


def _meeting_post(**changes):
    data = {
        "kind": "weekly",
        "title": "Weekly project call",
        "date": "2026-06-15",
        "start_time": "10:00",
        "duration_minutes": "60",
        "video_url": "https://teams.example.com/l/weekly",
        "location": "",
        "guests": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_meeting_at_a_far_date_is_a_form_error(login, project, cdmo_pm, sponsor_lead, day):
    url = reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk})
    response = login(cdmo_pm).post(url, _meeting_post(date=day, start_time="00:00"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a date between 01 Jan 1990 and 31 Dec 2100." in body
    assert f'value="{day}"' in body
    assert not Meeting.objects.filter(project=project).exists()


# NUL bytes in URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/meetings/calendar/%00.ics", "/invite/%00/", "/projects/%00/", "/%00"])
def test_nul_byte_in_a_path_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_nul_byte_in_a_query_string_is_ignored(login, project, sponsor_lead):
    client = login(sponsor_lead)
    for url in (
        reverse("projects:list") + "?q=ACM%00&status=%00",
        reverse("monitoring:dashboard") + "?q=%00&counterparty=%00",
        reverse("monitoring:dashboard_csv") + "?q=%00",
        reverse("projects:milestones", kwargs={"project_id": project.pk}) + "?show=%00",
        reverse("issues:kudos", kwargs={"project_id": project.pk}) + "?target=projects.statusupdate:%00",
    ):
        assert client.get(url).status_code in {200, 302, 403, 404}, url


# Control characters in forms -----------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Weekly\r\nBcc: all@evil.example", "Weekly\u2028Bcc: all@evil.example", "Weekly\tcall\x1b"]
)
def test_meeting_title_with_a_line_break_is_refused_with_the_title_kept(login, project, cdmo_pm, title):
    url = reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk})
    response = login(cdmo_pm).post(url, _meeting_post(title=title))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Use a single line of plain text" in body
    assert f'value="{escape(title)}"' in body  # kept as typed, to be corrected
    assert not Meeting.objects.filter(project=project).exists()


def test_nul_in_a_multi_line_field_is_refused_but_line_breaks_and_tabs_are_kept(login, project, cdmo_pm):
    milestone = MilestoneFactory(project=project)
    url = reverse("projects:milestone", kwargs={"project_id": project.pk, "milestone_id": milestone.pk})
    client = login(cdmo_pm)
    refused = client.post(url, _milestone_post(milestone, notes="line one\x00line two"))
    assert refused.status_code == 200
    assert "Remove the control characters" in refused.content.decode() or "Null characters" in (
        refused.content.decode()
    )
    accepted = client.post(url, _milestone_post(milestone, notes="line one\r\n\tline two\x07"))
    assert accepted.status_code == 200  # the bell character is refused too
    assert "Remove the control characters" in accepted.content.decode()
    kept = client.post(url, _milestone_post(milestone, notes="line one\r\n\tline two"))
    assert kept.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).notes == "line one\r\n\tline two"


# Junk in "next" ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk", ["abc", "-1", "nul\x00byte", "/x\r\nSet-Cookie: a=b", "https://evil.example/"]
)
def test_junk_next_after_completing_an_action_item_falls_back_to_the_item(login, project, cdmo_pm, junk):
    item = ActionItemFactory(meeting=MeetingFactory(project=project, organizer=cdmo_pm), owner=cdmo_pm)
    url = reverse("meetings:action_item_toggle", kwargs={"project_id": project.pk, "actionitem_id": item.pk})
    response = login(cdmo_pm).post(url, {"done": "1", "next": junk})
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()


def test_a_next_path_on_this_site_is_followed(login, project, cdmo_pm):
    item = ActionItemFactory(meeting=MeetingFactory(project=project, organizer=cdmo_pm), owner=cdmo_pm)
    url = reverse("meetings:action_item_toggle", kwargs={"project_id": project.pk, "actionitem_id": item.pk})
    response = login(cdmo_pm).post(url, {"done": "1", "next": "/meetings/action-items/?status=any"})
    assert response["Location"] == "/meetings/action-items/?status=any"


@pytest.mark.parametrize("junk", ["abc", "-1", "nul\x00byte", "//evil.example/"])
def test_junk_next_after_marking_notifications_read_falls_back_to_the_list(login, sponsor_lead, junk):
    response = login(sponsor_lead).post(reverse("notifications:mark_all_read"), {"next": junk})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
