"""The executives' comparisons: what each side's executives see side by side, read from the
stored roll-ups, and what they never see (another sponsor's figures, the CDMO's project
managers from the sponsor's side, relationships they are not party to)."""

import re

import pytest
from django.urls import reverse

from portal.organizations.models import Organization
from projects.models import TeamRole
from tests.factories.organizations import UserFactory

from .compare_world import COMPARE, MANAGERS, columns, on_time_row, page, values, words, world_fixture  # noqa: F401
from .helpers import member

pytestmark = pytest.mark.usefixtures("frozen_now")


def test_a_sponsor_executive_sees_its_cdmos_with_its_own_projects_only(client, world):
    status, html = page(client, world["acme_exec"], COMPARE)
    assert status == 200
    assert columns(html) == ["Xeno Labs", "Yarrow Manufacturing"]  # alphabetical
    row = on_time_row(html)
    assert values(row) == ["60 %", "100 %"]
    assert "n = 5 milestones / 2 projects" in words(row) and "n = 3 milestones / 1 project" in words(row)
    # Borealis's project with Xeno is in no figure: not 3 of 9 (33 %), not 3 projects.
    assert "Borealis" not in html and "n = 9" not in html and "33 %" not in html
    assert "3 projects" not in html and "Zed Proposed" not in html  # no proposal counts
    # Each CDMO links to its projects; the measures are grouped by side.
    drill = reverse("scorecards:relationship", args=[world["xeno"].pk])
    assert f'href="{drill}?quarter=2026-Q4"' in html
    assert html.index(">The CDMO<") < html.index(">On-time delivery<") < html.index(">The sponsor<")
    assert "Project managers" not in html  # the CDMO-internal comparison is not offered


def test_sorting_by_a_measure_puts_the_best_first_and_too_few_last(client, world):
    status, html = page(client, world["acme_exec"], COMPARE, sort="on_time")
    assert status == 200
    assert columns(html) == ["Yarrow Manufacturing", "Xeno Labs"]  # 100 % before 60 %
    assert values(on_time_row(html)) == ["100 %", "60 %"]
    assert 'aria-sort="descending"' in on_time_row(html)
    # CDMO side: A1's manager 29 %, B1's 0 %, A2's manager on 2 milestones too few, last.
    status, html = page(client, world["xeno_exec"], MANAGERS, sort="on_time")
    assert columns(html) == ["Alma Ames", "Cy Cole", "Bo Berg"]
    assert values(on_time_row(html)) == ["29 %", "0 %", "too few to measure"]
    assert "n = 7 milestones / 2 projects" in words(html)
    # A sort by a name no measure has is ignored (alphabetical), said, not a 500.
    status, html = page(client, world["xeno_exec"], MANAGERS, sort="'; drop table")
    assert status == 200 and columns(html) == ["Alma Ames", "Bo Berg", "Cy Cole"]
    assert "no measure of that name" in html


def test_a_cdmo_executive_sees_its_sponsors_and_its_project_managers(client, world):
    status, html = page(client, world["xeno_exec"], COMPARE)
    assert status == 200 and columns(html) == ["Acme Bio", "Borealis Pharma"]
    assert values(on_time_row(html)) == ["60 %", "0 %"]
    assert f'href="{MANAGERS}?quarter=2026-Q4"' in html
    status, html = page(client, world["xeno_exec"], MANAGERS)
    assert status == 200
    assert columns(html) == ["Alma Ames", "Bo Berg", "Cy Cole"]
    assert "internal to Xeno Labs" in html
    # Yarrow's admin sees the whole organization: its own project manager, none of Xeno's.
    status, html = page(client, world["yarrow_admin"], MANAGERS)
    assert status == 200 and columns(html) == ["Dee Dunn"] and values(on_time_row(html)) == ["100 %"]


def test_the_quarter_chooser_shows_an_earlier_quarter_and_survives_nonsense(client, world):
    status, html = page(client, world["acme_exec"], COMPARE, quarter="2026-Q3")
    assert status == 200 and "over Q3 2026" in html
    assert values(on_time_row(html)) == ["too few to measure", "too few to measure"]
    assert "n = 1 milestone / 2 projects" in words(html)  # A1's one milestone of August (A1 and A2)
    assert 'href="?quarter=2026-Q3" aria-current="page"' in html
    for nonsense in ("2027-Q1", "2025-Q3", "Q4", "x" * 300):  # outside the five shown, or not one
        status, html = page(client, world["acme_exec"], COMPARE, quarter=nonsense)
        assert status == 200 and "over Q4 2026" in html and "not one of the five" in html


def test_the_drill_down_lists_the_relationships_projects_with_their_figures(client, world):
    a1, a2, _a3, _b1 = world["projects"]
    url = reverse("scorecards:relationship", args=[world["xeno"].pk])
    status, html = page(client, world["acme_exec"], url)
    assert status == 200 and "Acme Bio with Xeno Labs" in html
    assert re.findall(r'<a class="scorecard-measure" href="([^"]+)">', html) == [
        reverse("scorecards:project_health", args=[a1.pk]),
        reverse("scorecards:project_health", args=[a2.pk]),
    ]
    # Together 3 of 5 (60 %), then A1 2 of 3 (67 %) and A2 on 2 (too few); no Borealis project.
    row_values = re.findall(
        r'<tr[^>]*>\s*<th scope="row">.*?<span class="scorecard-value">([^<]*)<', html, re.S
    )
    assert row_values == ["60 %", "67 %", "too few to measure"]
    assert "B1" not in html and "Borealis" not in html and "All 2 programs together" in html
    # Paging junk shows the first page.
    status, html = page(client, world["acme_exec"], url, page="9999999999999999999999", quarter="<x>")
    assert status == 200 and "Acme one" in html
    # The CDMO's side of the same relationship.
    status, html = page(
        client, world["xeno_exec"], reverse("scorecards:relationship", args=[world["acme"].pk])
    )
    assert status == 200 and "Xeno Labs with Acme Bio" in html and "Acme one" in html


def test_a_relationship_the_viewer_is_not_party_to_is_404(client, world):
    def drill(user, organization):
        return page(client, user, reverse("scorecards:relationship", args=[organization.pk]))[0]

    assert drill(world["borealis_exec"], world["yarrow"]) == 404  # Yarrow works for Acme only
    assert drill(world["borealis_exec"], world["acme"]) == 404  # another sponsor
    assert drill(world["acme_exec"], world["acme"]) == 404  # its own organization
    assert drill(world["yarrow_admin"], world["borealis"]) == 404
    assert drill(world["yarrow_admin"], world["acme"]) == 200
    zed = Organization.objects.get(name="Zed Proposed")  # Acme has only a proposal with it
    assert drill(world["acme_exec"], zed) == 404
    assert page(client, world["acme_exec"], reverse("scorecards:relationship", args=[999999]))[0] == 404


def test_who_is_not_an_executive_gets_404(client, world):
    a1 = world["projects"][0]
    lead, manager = member(a1, TeamRole.SPONSOR_LEAD), member(a1, TeamRole.PROJECT_MANAGER)
    drill = reverse("scorecards:relationship", args=[world["xeno"].pk])
    for user in (lead, manager, UserFactory(organization=None)):
        for url in (COMPARE, MANAGERS, drill):
            assert page(client, user, url)[0] == 404, (user, url)
    # A sponsor, even its executive, never reaches the CDMO's project managers.
    assert page(client, world["acme_exec"], MANAGERS)[0] == 404
    assert page(client, world["borealis_exec"], MANAGERS, quarter="2026-Q3")[0] == 404
    client.logout()
    assert client.get(COMPARE).status_code == 302


def test_executives_find_it_in_the_main_nav_and_on_the_dashboard(client, world):
    status, html = page(client, world["acme_exec"], reverse("monitoring:dashboard"))
    assert f'href="{COMPARE}"' in html and "CDMOs side by side" in html
    lead = member(world["projects"][0], TeamRole.SPONSOR_LEAD)
    status, html = page(client, lead, reverse("monitoring:dashboard"))
    assert status == 200 and f'href="{COMPARE}"' not in html
