"""The Health tab: both sides of the project see it, outsiders get 404, its cost does not grow."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects
from oversight.scorecards.models import OrganizationTarget
from projects.models import TeamRole
from tests.factories.meetings import held_meeting
from tests.factories.organizations import UserFactory
from tests.factories.projects import staff_project

from .helpers import NOW, UTC, change, decision, done_milestone, member, published, question

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def project(db):
    project = staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=14)
    for day in (3, 10, 20):
        done_milestone(project, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, day))
    change(project, needed_by=dt.date(2026, 11, 2))
    return project


def _url(project):
    return reverse("scorecards:project_health", args=[project.pk])


@pytest.mark.parametrize("role", [TeamRole.SPONSOR_LEAD, TeamRole.PROJECT_MANAGER])
def test_both_sides_see_the_measures_with_their_definitions(client, project, role):
    client.force_login(member(project, role))
    response = client.get(_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<caption class="visually-hidden">' in html
    assert '<th scope="row"><span class="scorecard-measure">On-time delivery</span>' in html
    for name in ("Cadence kept", "Responsiveness", "Meeting discipline"):
        assert f'<span class="scorecard-measure">{name}</span>' in html
    assert "Of the milestones completed in the quarter" in html
    # Q3 2026: 3 milestones, two on or before the 10 Aug baseline.
    assert "Q3 2026" in html and "67 %" in html and "n = 3 milestones" in html
    assert "worst slip 10 days" in html
    assert "too few to measure" in html

    # One tbody per side, headed by whom its measures are about: the CDMO's, the sponsor's, and
    # the one measure about both (recognition, a count).
    def group(name):
        return f'<th scope="rowgroup" colspan="7" class="scorecard-group"><span class="scorecard-group-name">{name}</span></th>'

    def row(name):
        return html.index(f'<th scope="row"><span class="scorecard-measure">{name}</span>')

    assert html.count("<tbody>") == 3 and html.count('scope="rowgroup"') == 3
    order = [html.index(group("The CDMO")), row("On-time delivery"), row("No surprises")]
    order += [row("Cadence kept"), row("Responsiveness"), row("Meeting discipline")]
    order += [row("Action items on time"), html.index(group("The sponsor")), row("Decisions on time")]
    order += [html.index(">Action items on time<", order[-1]), row("Updates acknowledged")]
    order += [row("Minutes confirmed"), row("Decision-maker at governance")]
    order += [html.index(group("Both sides")), row("Recognition given and received")]
    assert order == sorted(order)
    # No surprises: the notice is the working agreement's, 14 days without one (none here).
    assert "the notice of the working agreement in force on the baseline date before it" in html
    assert "(calendar days; 14 without one)" in html
    assert "Notice now: 14 calendar days (no working agreement in force)." in html
    # A count reads as itself: no recognition yet is 0 recognitions, not "too few to measure".
    # Nothing counted: no link to an empty list of records.
    recognition = reverse("scorecards:evidence", args=[project.pk, "recognition", "2026-q4"])
    assert re.search(
        r'<span class="scorecard-value">0</span>\s*<span class="scorecard-n">recognitions</span>', html
    )
    assert f'href="{recognition}"' not in html
    # Each figure is a link to the records it counted, named for what it counts.
    on_time = reverse("scorecards:evidence", args=[project.pk, "on_time", "2026-q3"])
    assert (
        f'<a href="{on_time}" aria-label="67 %, On-time delivery, Q3 2026: the 3 milestones counted">67 %</a>'
        in html
    )
    assert "A request still open after its needed-by date counts as late" in html
    assert "whose minutes are still not sent after 2 business days counts as late" in html
    # Q4 2026 (today 18 Nov): a change needed by 2 Nov and still open is late.
    assert '<span class="scorecard-n">n = 1 request</span>' in html
    # The tab is on the project page's tab bar, current here.
    assert f'href="{_url(project)}"' in html


def test_an_outsider_gets_404(client, project):
    client.force_login(UserFactory())
    assert client.get(_url(project)).status_code == 404


def test_the_page_reads_stored_figures_at_the_same_cost_for_2_records_or_20(
    db, client, django_assert_num_queries
):
    project = staff_project(start_date=dt.date(2026, 1, 5), update_cadence_days=7)
    client.force_login(member(project, TeamRole.SPONSOR_LEAD))
    url = _url(project)

    def add(count, offset):
        for i in range(count):
            day = dt.date(2026, 2, 1) + dt.timedelta(days=offset + 7 * i)
            done_milestone(project, baseline=day, actual=day + dt.timedelta(days=i % 3))
            update = published(project, dt.datetime.combine(day, dt.time(9), tzinfo=UTC))
            asked = dt.datetime.combine(day, dt.time(10), tzinfo=UTC)
            question(
                update,
                asked=asked,
                respond_by=asked + dt.timedelta(days=2),
                answered=asked + dt.timedelta(hours=5),
            )
            decision(update, needed_by=day + dt.timedelta(days=7), decided=asked + dt.timedelta(days=i % 9))
            change(project, needed_by=day + dt.timedelta(days=10), decided=asked if i % 2 else None)
            with time_machine.travel(asked + dt.timedelta(days=i % 4), tick=False):
                held_meeting(project, starts_at=asked - dt.timedelta(hours=2))

    add(2, 0)
    refresh_projects([project.pk])  # as the worker does after each change
    client.get(url)  # the first request after logging in does session bookkeeping
    # The project frame and layout (7), the stored figures (1), the working agreement in force
    # (1: its agreed targets and tolerance) and the targets of both organizations (1): the
    # records are not read.
    with django_assert_num_queries(10) as small:
        html = client.get(url).content
    # Q1: two decisions and two changes (one decided, one still open and late), two meetings.
    assert b"n = 2 milestones" in html and b"n = 4 requests" in html and b"n = 2 meetings" in html
    add(18, 1)
    refresh_projects([project.pk])
    # Both organizations set targets: still one query for them.
    for organization, key in (
        (project.sponsor, "on_time"),
        (project.sponsor, "cadence"),
        (project.cdmo, "decisions_on_time"),
    ):
        OrganizationTarget.objects.create(
            organization=organization, measure=key, target=80, amber=70, red=60, weight=1, updated_at=NOW
        )
    with django_assert_num_queries(10) as large:
        html = client.get(url).content
    assert b"n = 2 milestones" not in html and b"n = 2 questions" not in html
    assert b"n = 2 meetings" not in html
    assert b"n = 4 requests" not in html
    assert len(large.captured_queries) == len(small.captured_queries)
