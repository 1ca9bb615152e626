"""The Health tab: both sides of the project see it, outsiders get 404, its cost does not grow."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from projects.models import TeamRole
from tests.factories.organizations import UserFactory
from tests.factories.projects import staff_project

from .helpers import UTC, done_milestone, member, published, question

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def project(db):
    project = staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=14)
    for day in (3, 10, 20):
        done_milestone(project, baseline=dt.date(2026, 8, 10), actual=dt.date(2026, 8, day))
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
    for name in ("Cadence kept", "Responsiveness"):
        assert f'<span class="scorecard-measure">{name}</span>' in html
    assert "Of the milestones completed in the quarter" in html
    # Q3 2026: 3 milestones, two on or before the 10 Aug baseline.
    assert "Q3 2026" in html and "67 %" in html and "n = 3 milestones" in html
    assert "worst slip 10 days" in html
    assert "too few to measure" in html
    # The tab is on the project page's tab bar, current here.
    assert f'href="{_url(project)}"' in html


def test_an_outsider_gets_404(client, project):
    client.force_login(UserFactory())
    assert client.get(_url(project)).status_code == 404


def test_the_page_costs_the_same_queries_for_2_records_or_20(db, client, django_assert_num_queries):
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

    add(2, 0)
    client.get(url)  # the first request after logging in does session bookkeeping
    # The project frame and layout (7), the milestones, the publications, the agreement in force
    # at each of the five quarters' ends, and the questions: one read each, whatever their number.
    with django_assert_num_queries(15) as small:
        assert b"n = 2 milestones" in client.get(url).content
    add(18, 1)
    with django_assert_num_queries(15) as large:
        html = client.get(url).content
    assert b"n = 2 milestones" not in html and b"n = 2 answered questions" not in html
    assert len(large.captured_queries) == len(small.captured_queries)
