"""The comparison pages read the stored roll-ups: the same number of queries for 2 CDMOs or 6,
for 2 projects of a relationship or 6."""

import datetime as dt
from html import escape as html_escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects, roll_up
from oversight.scorecards.measures import ON_TIME, Figure, Tally
from oversight.scorecards.models import RelationshipFigure
from oversight.scorecards.quarters import Quarter
from portal.accounts.models import OrgRole
from projects.models import TeamRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectMemberFactory, staff_project

from .helpers import QUARTERS, done_milestone, member

pytestmark = pytest.mark.usefixtures("frozen_now")


# Session and user (2), the viewer's organization (1), the roll-ups of the quarter with the
# columns' names (1), the columns' targets (1), the bell's unread count (1). The project managers'
# are judged against the defaults, which cost no query.
COMPARE_QUERIES = 6
MANAGERS_QUERIES = 5
# Session and user (2), the viewer's organization (1), the counterparty with how many projects
# the viewer has with it (1), the page of projects' figures with their codes and names (1), the
# relationship's roll-up (1), its targets (1), the bell (1). A manager's page: no targets query.
RELATIONSHIP_QUERIES = 8
MANAGER_QUERIES = 7


def project(sponsor, cdmo, manager=None):
    made = staff_project(sponsor=sponsor, cdmo=cdmo, start_date=dt.date(2026, 6, 1))
    done_milestone(made, baseline=dt.date(2026, 10, 10), actual=dt.date(2026, 10, 12))
    return made


def refreshed():
    refresh_projects()
    roll_up()


def warm(client, url):
    client.get(url)  # the first request after logging in does session bookkeeping


def test_the_comparisons_cost_the_same_for_2_columns_or_6(db, client, django_assert_num_queries):
    sponsor, cdmo = SponsorFactory(), CDMOFactory()
    for _ in range(2):
        project(sponsor, CDMOFactory())
        project(SponsorFactory(), cdmo)
    refreshed()
    sponsor_exec = UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE)
    cdmo_exec = UserFactory(organization=cdmo, org_role=OrgRole.EXECUTIVE)
    pages = [
        (sponsor_exec, reverse("scorecards:compare"), COMPARE_QUERIES),
        (cdmo_exec, reverse("scorecards:compare"), COMPARE_QUERIES),
        (cdmo_exec, reverse("scorecards:compare_managers"), MANAGERS_QUERIES),
    ]

    def measure(expected_columns):
        for user, url, queries in pages:
            client.force_login(user)
            warm(client, url)
            with django_assert_num_queries(queries):
                html = client.get(url, {"sort": "on_time"}).content.decode()
            assert html.count('class="compare-column"') == expected_columns, url

    measure(2)
    for _ in range(4):
        project(sponsor, CDMOFactory())
        project(SponsorFactory(), cdmo)
    refreshed()
    measure(6)


def test_the_drill_down_costs_the_same_for_2_projects_or_6(db, client, django_assert_num_queries):
    sponsor, cdmo = SponsorFactory(), CDMOFactory()
    for _ in range(2):
        project(sponsor, cdmo)
    refreshed()
    sponsor_exec = UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE)
    url = reverse("scorecards:relationship", args=[cdmo.pk])
    client.force_login(sponsor_exec)
    warm(client, url)
    with django_assert_num_queries(RELATIONSHIP_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<a class="scorecard-measure"') == 2
    for _ in range(4):
        project(sponsor, cdmo)
    refreshed()
    with django_assert_num_queries(RELATIONSHIP_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<a class="scorecard-measure"') == 6
    assert "All 6 programs together" in html
    # A member on one of the projects only (no executive) gets 404 here, at no more cost.
    lead = member(project(sponsor, cdmo), TeamRole.SPONSOR_LEAD)
    client.force_login(lead)
    warm(client, url)
    assert client.get(url).status_code == 404


def test_a_project_managers_page_costs_the_same_for_2_projects_or_6(db, client, django_assert_num_queries):
    cdmo = CDMOFactory()
    first = project(SponsorFactory(), cdmo)
    manager = member(first, TeamRole.PROJECT_MANAGER)

    def managed_by_them():
        made = project(SponsorFactory(), cdmo)
        ProjectMemberFactory(project=made, role=TeamRole.PROJECT_MANAGER, user=manager)

    managed_by_them()
    refreshed()
    url = reverse("scorecards:manager", args=[manager.pk])
    client.force_login(UserFactory(organization=cdmo, org_role=OrgRole.EXECUTIVE))
    warm(client, url)
    with django_assert_num_queries(MANAGER_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<a class="scorecard-measure"') == 2
    for _ in range(4):
        managed_by_them()
    refreshed()
    with django_assert_num_queries(MANAGER_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<a class="scorecard-measure"') == 6 and "All 6 programs together" in html


def test_the_pages_read_a_roll_ups_details_never_its_samples(db, client):
    """The samples of a roll-up grow with its projects (12,000 in one relationship's cadence at
    10,000 projects): the workers write the details they give, the pages read those."""
    sponsor, cdmo = SponsorFactory(), CDMOFactory()
    for slip in (2, 4, 9):
        made = project(sponsor, cdmo)
        done_milestone(
            made, baseline=dt.date(2026, 10, 20), actual=dt.date(2026, 10, 20) + dt.timedelta(days=slip)
        )
    refreshed()
    rolled = RelationshipFigure.objects.get(
        sponsor=sponsor, cdmo=cdmo, measure=ON_TIME.key, quarter=QUARTERS[0].start
    )
    expected = Figure(
        ON_TIME, Quarter.of(rolled.quarter), Tally(rolled.n, rolled.kept, tuple(rolled.samples))
    )
    assert rolled.details == list(expected.details) and rolled.details, rolled.details
    urls = [
        (UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE), reverse("scorecards:compare")),
        (UserFactory(organization=cdmo, org_role=OrgRole.EXECUTIVE), reverse("scorecards:compare")),
        (
            UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE),
            reverse("scorecards:relationship", args=[cdmo.pk]),
        ),
    ]
    for user, url in urls:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        roll_up_reads = [q["sql"] for q in queries if "scorecards_relationshipfigure" in q["sql"]]
        assert roll_up_reads and not any('"samples"' in sql for sql in roll_up_reads), url
        assert all(html_escape(detail) in html for detail in rolled.details), url
