"""The minutes PDF is a real document: read back with pdftotext."""

import datetime
import subprocess

import pytest
from django.urls import reverse

from meetings.models import MeetingKind, MeetingStatus
from meetings.pdf import render_minutes_pdf
from meetings.selectors import meeting_detail
from tests.factories.meetings import ActionItemFactory, DecisionFactory, close_as, held_meeting

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def minutes(project, team):
    meeting = held_meeting(
        project,
        status=MeetingStatus.MINUTES_DRAFT,
        kind=MeetingKind.GOVERNANCE,
        title="Q3 steering committee",
        starts_at=datetime.datetime(2026, 3, 16, 13, 0, tzinfo=datetime.UTC),
        absent_roles=("decision_maker",),
    )
    DecisionFactory(
        meeting=meeting, summary="Approve change order CO-07 for the extra engineering run", position=2
    )
    ActionItemFactory(
        meeting=meeting,
        title="Circulate the deviation report",
        owner=team["sme"],
        due_date=datetime.date(2026, 3, 27),
    )
    return close_as(meeting, MeetingStatus.CONFIRMED)


def test_pdf_holds_header_attendance_decisions_and_action_items(minutes, team):
    pdf = render_minutes_pdf(meeting_detail(meeting=minutes))
    assert pdf[:4] == b"%PDF"
    text = pdf_text(pdf)
    for expected in (
        "ACM-101",
        "Q3 steering committee",
        "Acme Bio (sponsor)",
        "Northbridge CDMO (CDMO)",
        "Monday 16 March 2026, 14:00–15:00 Berlin time (organizer)",
        "13:00–14:00 UTC",
        "Proceed with the 200 L engineering batch",
        "Approve change order CO-07 for the extra engineering run",
        "Send the batch record template",
        "Circulate the deviation report",
        "Anika Schulz",
        "27 Mar 2026",
        "Reviewed progress since last call.",
        "Engineering batch next month.",
        "Confirmed by Emily Carter",
        "did not attend this governance meeting",
        "Page 1 of",
    ):
        assert expected in text, expected
    attended, absent = text.split("ABSENT", 1)[0], text.split("ABSENT", 1)[1]
    assert "Michael Ross" in absent.split("Summary")[0]
    assert "Emily Carter" in attended or "Emily Carter" in absent.split("Summary")[0]
    assert pdf_pages(pdf) >= 1


def test_draft_pdf_says_so(project, team):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    text = pdf_text(render_minutes_pdf(meeting_detail(meeting=meeting)))
    assert "DRAFT" in text and "Not sent yet" in text


def test_pdf_download(client, login, minutes, team):
    login(team["lead"])
    response = client.get(
        reverse("meetings:minutes_pdf", kwargs={"project_id": minutes.project_id, "meeting_id": minutes.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="minutes-ACM-101-2026-03-16.pdf"' in response["Content-Disposition"]
    assert "Circulate the deviation report" in pdf_text(response.content)


def test_no_pdf_before_the_meeting_is_held(client, login, schedule, team):
    meeting = schedule()
    login(team["pm"])
    url = reverse("meetings:minutes_pdf", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk})
    assert client.get(url).status_code == 404


def test_attendance_in_the_pdf_follows_the_record(project, team):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_SENT, absent_roles=("sme",))
    text = pdf_text(render_minutes_pdf(meeting_detail(meeting=meeting)))
    assert "ABSENT (1)" in text and "ATTENDED (3)" in text
