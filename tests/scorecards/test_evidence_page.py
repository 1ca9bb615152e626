"""The evidence page: from a figure on the Health tab, one click to the records it counted.

Each world is small and its figures are computed by hand in the comments; the page must list
exactly the records the figure counted (the same ones the workers count), each linked to its
own page, kept or late in words.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from oversight.scorecards.measures import (
    CADENCE,
    DECISIONS_ON_TIME,
    MEETING_DISCIPLINE,
    ON_TIME,
    RESPONSIVENESS,
)
from oversight.scorecards.quarters import Quarter
from projects.models import TeamRole
from tests.factories.meetings import held_meeting
from tests.factories.organizations import UserFactory
from tests.factories.projects import staff_project

from .helpers import UTC, change, decision, done_milestone, measured, member, published, question
from .test_recognition import kudos

pytestmark = pytest.mark.usefixtures("frozen_now")

ROW = re.compile(
    r'<th scope="row">(?P<what>.*?)</th>\s*<td>(?P<on>.*?)</td>\s*'
    r'<td><span class="verdict verdict-(?:kept|late)">(?P<verdict>.*?)</span></td>\s*<td>(?P<words>.*?)</td>',
    re.DOTALL,
)
LINK = re.compile(r'<a href="(?P<url>[^"]*)">(?P<label>.*?)</a>')


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 9, 20), update_cadence_days=14)


def url(project, key, quarter):
    return reverse("scorecards:evidence", args=[project.pk, key, quarter])


def rows(html):
    """[(label, link or None, date, verdict, words)] of the evidence table, in its order."""
    found = []
    for row in ROW.finditer(html):
        link = LINK.fullmatch(row["what"])
        label, href = (link["label"], link["url"]) if link else (row["what"], None)
        found.append((label, href, row["on"], row["verdict"], row["words"]))
    return found


def page(client, project, key, quarter, role=TeamRole.SPONSOR_LEAD):
    client.force_login(member(project, role))
    response = client.get(url(project, key, quarter))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [TeamRole.SPONSOR_LEAD, TeamRole.PROJECT_MANAGER])
def test_on_time_delivery_lists_the_milestones_it_counted(client, project, role):
    early = done_milestone(project, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, 3))
    on_day = done_milestone(project, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, 10))
    late = done_milestone(project, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, 20))
    done_milestone(project, baseline=dt.date(2026, 6, 1), actual=dt.date(2026, 6, 1))  # Q2: not Q3's
    # Q3: 3 completed, 2 on or before the baseline: 67 %; the late one slipped 20 - 10 = 10 days.
    html = page(client, project, "on_time", "2026-q3", role)
    assert "On-time delivery, Q3 2026" in html and "67 %" in html and "n = 3 milestones" in html
    assert "Of the milestones completed in the quarter" in html  # the definition
    assert "The Health tab shows the stored figures" in html
    assert rows(html) == [
        (early.title, early.get_absolute_url(), "3 Aug 2026", "on time", "no slip"),
        (on_day.title, on_day.get_absolute_url(), "10 Aug 2026", "on time", "no slip"),
        (late.title, late.get_absolute_url(), "20 Aug 2026", "late", "slip 10 days"),
    ]
    assert "<caption>The 3 milestones counted in Q3 2026</caption>" in html
    # The list is the figure the workers compute.
    assert measured(ON_TIME, project, [Quarter(2026, 3)])[Quarter(2026, 3)].n == 3


def test_cadence_lists_kept_periods_by_their_update_and_missed_ones_by_their_due_date(client, project):
    first = published(project, dt.datetime(2026, 10, 2, 9, tzinfo=UTC))
    second = published(project, dt.datetime(2026, 10, 16, 9, tzinfo=UTC))
    # Start 20 Sep, cadence 14: due 4 Oct, kept by 2 Oct's update; next due 16 Oct, kept on the
    # day; next 30 Oct, missed; then 13 Nov, missed; 27 Nov is still to come. 2 of 4: 50 %.
    html = page(client, project, "cadence", "2026-q4")
    assert "50 %" in html and "n = 4 update periods" in html
    assert rows(html) == [
        (first.title, first.get_absolute_url(), "4 Oct 2026", "kept", "cadence 14 days"),
        (second.title, second.get_absolute_url(), "16 Oct 2026", "kept", "cadence 14 days"),
        (
            "The update period due 30 Oct 2026",
            None,
            "30 Oct 2026",
            "missed",
            "no update published by the due date; cadence 14 days",
        ),
        (
            "The update period due 13 Nov 2026",
            None,
            "13 Nov 2026",
            "missed",
            "no update published by the due date; cadence 14 days",
        ),
    ]
    assert measured(CADENCE, project, [Quarter(2026, 4)])[Quarter(2026, 4)].tally.kept == 2


def test_decisions_list_both_kinds_of_request(client, project):
    update = published(project, dt.datetime(2026, 10, 1, 9, tzinfo=UTC))
    in_time = decision(
        update, needed_by=dt.date(2026, 11, 2), decided=dt.datetime(2026, 11, 1, 10, tzinfo=UTC)
    )
    still_open = change(project, needed_by=dt.date(2026, 11, 3))
    change(
        project,
        needed_by=dt.date(2026, 11, 4),
        decided=dt.datetime(2026, 11, 1, 9, tzinfo=UTC),
        how="withdraw",
    )
    # Q4: the decision on time (0 days late); the change open since 3 Nov, 18 - 3 = 15 days late
    # so far; the withdrawn change is not counted. 1 of 2: 50 %, too few to measure.
    html = page(client, project, "decisions_on_time", "2026-q4")
    assert "too few to measure" in html and "n = 2 requests" in html
    assert rows(html) == [
        (
            f"Decision request: {in_time.title}",
            in_time.get_absolute_url(),
            "2 Nov 2026",
            "on time",
            "0 days late",
        ),
        (
            f"Change request: {still_open.title}",
            still_open.get_absolute_url(),
            "3 Nov 2026",
            "late",
            "15 days late",
        ),
    ]
    assert measured(DECISIONS_ON_TIME, project, [Quarter(2026, 4)])[Quarter(2026, 4)].n == 2


def test_responsiveness_and_meeting_discipline_link_to_the_question_and_the_meeting(client, project):
    update = published(project, dt.datetime(2026, 10, 5, 9, tzinfo=UTC))
    asked = dt.datetime(2026, 10, 5, 10, tzinfo=UTC)
    asked_q = question(
        update,
        asked=asked,
        respond_by=asked + dt.timedelta(days=1),
        answered=asked + dt.timedelta(hours=3, minutes=30),
    )
    # Answered 3.5 hours after it was asked, within its respond-by time: on time.
    html = page(client, project, "responsiveness", "2026-q4")
    assert rows(html) == [
        (
            f"“When does GMP-01 start?” on {update.title}",
            f"{update.get_absolute_url()}#comment-{asked_q.pk}",
            "5 Oct 2026",
            "on time",
            "answered in 3.5 hours",
        )
    ]
    # A CDMO meeting on Monday 12 Oct, 10:00–11:00 UTC, its minutes still in draft: 2 business days
    # (Berlin) have long passed: late, no minutes.
    with time_machine.travel(dt.datetime(2026, 10, 12, 11, tzinfo=UTC), tick=False):
        meeting = held_meeting(
            project,
            starts_at=dt.datetime(2026, 10, 12, 10, tzinfo=UTC),
            status="minutes_draft",
            duration_minutes=60,
        )
    html = page(client, project, "meeting_discipline", "2026-q4", TeamRole.PROJECT_MANAGER)
    assert rows(html) == [
        (
            meeting.title,
            meeting.get_absolute_url(),
            "12 Oct 2026",
            "late",
            "minutes not sent after 2 business days",
        )
    ]
    assert measured(MEETING_DISCIPLINE, project, [Quarter(2026, 4)])[Quarter(2026, 4)].n == 1
    assert measured(RESPONSIVENESS, project, [Quarter(2026, 4)])[Quarter(2026, 4)].tally.kept == 1


def test_a_quarter_with_nothing_counted_says_so(client, project):
    html = page(client, project, "recognition", "2026-q4")
    assert "Nothing counted in Q4 2026: no recognitions in the quarter under this definition." in html
    assert rows(html) == []


def test_an_outsider_gets_404_and_so_do_unknown_measures_and_quarters(client, project):
    done_milestone(project, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, 3))
    client.force_login(UserFactory())
    assert client.get(url(project, "on_time", "2026-q3")).status_code == 404
    client.force_login(member(project, TeamRole.SPONSOR_LEAD))
    assert client.get(url(project, "on_time", "2026-q3")).status_code == 200
    assert client.get(url(project, "on_time", "2025-q4")).status_code == 200  # the window's oldest
    for key, quarter in (
        ("no_such_measure", "2026-q3"),
        ("on_time", "2025-q3"),  # before the window (this quarter and the four before)
        ("on_time", "2027-q1"),  # after it
        ("on_time", "2026-q5"),
        ("on_time", "q3-2026"),
    ):
        assert client.get(url(project, key, quarter)).status_code == 404, (key, quarter)


def test_recognition_is_a_count_each_kudos_listed_as_counted(client, project):
    pm = member(project, TeamRole.PROJECT_MANAGER)
    named = kudos(project, dt.datetime(2026, 8, 20, 15, tzinfo=UTC), recipient=pm)
    team = kudos(project, dt.datetime(2026, 9, 30, 23, 30, tzinfo=UTC))
    kudos(project, dt.datetime(2026, 10, 1, 0, 30, tzinfo=UTC))  # Q4 (UTC): not Q3's
    # Q3: two kudos, one naming the project manager; a count reads as itself: 2.
    html = page(client, project, "recognition", "2026-q3", TeamRole.PROJECT_MANAGER)
    assert '<span class="evidence-value">2</span>' in html
    issues = reverse("issues:project_issues", args=[project.pk])
    assert rows(html) == [
        (
            f"Kudos for {named.target_label}",
            f"{issues}#recognition-{named.pk}",
            "20 Aug 2026",
            "counted",
            "names a person at the CDMO",
        ),
        (
            f"Kudos for {team.target_label}",
            f"{issues}#recognition-{team.pk}",
            "30 Sep 2026",
            "counted",
            "thanks the whole team",
        ),
    ]
