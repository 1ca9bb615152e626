"""The executives' comparisons: what each side's executives see side by side, read from the
stored roll-ups, and what they never see (another sponsor's figures, the CDMO's project
managers from the sponsor's side, relationships they are not party to)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects, roll_up
from portal.accounts.models import OrgRole
from portal.organizations.models import Organization
from projects.models import ProposalStatus, TeamRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project

from .helpers import done_milestone, member

pytestmark = pytest.mark.usefixtures("frozen_now")

d = dt.date
COMPARE = reverse("scorecards:compare")
MANAGERS = reverse("scorecards:compare_managers")


def milestones(project, baseline: dt.date, *actuals: dt.date):
    for actual in actuals:
        done_milestone(project, baseline=baseline, actual=actual)


@pytest.fixture
def world(db):
    """Two sponsors sharing the CDMO Xeno; Acme also works with Yarrow.

    On-time delivery in Q4 2026 (baseline vs actual, by hand):
      Acme–Xeno   A1: baseline 10 Oct, actual 3, 10, 15 Oct -> 2 of 3 kept
                  A2: baseline 20 Oct, actual 20, 25 Oct    -> 1 of 2 kept
                  together 3 of 5 = 60 %, 2 projects
      Acme–Yarrow A3: baseline 20 Oct, actual 1, 2, 3 Oct   -> 3 of 3 = 100 %, 1 project
      Borealis–Xeno B1: baseline 1 Oct, actual 5, 6, 7, 8 Oct -> 0 of 4 = 0 %, 1 project
    In Q3 2026: A1 one milestone baseline 1 Aug, actual 1 Aug -> 1 of 1 (too few to measure); the
    roll-up still counts both of Acme's projects with Xeno (each has figures for every quarter).
    Project managers of Xeno: A1's manager also manages B1 -> 2 + 0 of 3 + 4 = 2 of 7 = 29 %
    (28.6 rounds up); A2's manager 1 of 2 (too few); B1's own manager 0 of 4 = 0 %.
    """
    acme, borealis = SponsorFactory(name="Acme Bio"), SponsorFactory(name="Borealis Pharma")
    xeno, yarrow = CDMOFactory(name="Xeno Labs"), CDMOFactory(name="Yarrow Manufacturing")
    a1 = staff_project(sponsor=acme, cdmo=xeno, code="A1", name="Acme one", start_date=d(2026, 6, 1))
    a2 = staff_project(sponsor=acme, cdmo=xeno, code="A2", name="Acme two", start_date=d(2026, 6, 1))
    a3 = staff_project(sponsor=acme, cdmo=yarrow, code="A3", name="Acme three", start_date=d(2026, 6, 1))
    b1 = staff_project(sponsor=borealis, cdmo=xeno, code="B1", name="Borealis one", start_date=d(2026, 6, 1))
    milestones(a1, d(2026, 10, 10), d(2026, 10, 3), d(2026, 10, 10), d(2026, 10, 15))
    milestones(a1, d(2026, 8, 1), d(2026, 8, 1))
    milestones(a2, d(2026, 10, 20), d(2026, 10, 20), d(2026, 10, 25))
    milestones(a3, d(2026, 10, 20), d(2026, 10, 1), d(2026, 10, 2), d(2026, 10, 3))
    milestones(b1, d(2026, 10, 1), d(2026, 10, 5), d(2026, 10, 6), d(2026, 10, 7), d(2026, 10, 8))
    for project, name in ((a1, "Alma Ames"), (a2, "Bo Berg"), (b1, "Cy Cole"), (a3, "Dee Dunn")):
        manager = member(project, TeamRole.PROJECT_MANAGER)
        manager.full_name = name
        manager.save()
    ProjectMemberFactory(project=b1, role=TeamRole.PROJECT_MANAGER, user=member(a1, TeamRole.PROJECT_MANAGER))
    # Proposals are no project of a relationship yet: an open one of Acme's to Xeno, one Xeno
    # declined, and one to a CDMO Acme has no project with; none counts anywhere.
    open_one = ProjectFactory(proposal=True, sponsor=acme, cdmo=xeno)
    declined = ProjectFactory(
        proposal=True,
        sponsor=acme,
        cdmo=xeno,
        proposal_status=ProposalStatus.DECLINED,
        decline_reason="No capacity in 2027.",
    )
    elsewhere = ProjectFactory(proposal=True, sponsor=acme, cdmo=CDMOFactory(name="Zed Proposed"))
    for proposal in (open_one, declined, elsewhere):
        milestones(proposal, d(2026, 10, 1), d(2026, 10, 9), d(2026, 10, 9), d(2026, 10, 9))
    # What the workers do: each project's figures after its changes, then the hourly roll-up.
    refresh_projects([a1.pk, a2.pk, a3.pk, b1.pk, open_one.pk, declined.pk, elsewhere.pk])
    roll_up()
    return {
        "acme": acme,
        "borealis": borealis,
        "xeno": xeno,
        "yarrow": yarrow,
        "projects": (a1, a2, a3, b1),
        "acme_exec": UserFactory(organization=acme, org_role=OrgRole.EXECUTIVE),
        "borealis_exec": UserFactory(organization=borealis, org_role=OrgRole.EXECUTIVE),
        "xeno_exec": UserFactory(organization=xeno, org_role=OrgRole.EXECUTIVE),
        "yarrow_admin": UserFactory(organization=yarrow, org_role=OrgRole.ADMIN),
    }


def on_time_row(html: str) -> str:
    """The table row of on-time delivery (its cells, in column order)."""
    found = re.search(
        r'<th scope="row"[^>]*>\s*<span class="scorecard-measure">On-time delivery</span>.*?</tr>', html, re.S
    )
    return found.group(0)


def words(html: str) -> str:
    """The text of `html`, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def values(row: str) -> list[str]:
    return re.findall(r'<span class="scorecard-value">([^<]*)</span>', row)


def columns(html: str) -> list[str]:
    return re.findall(r'<th scope="col" class="compare-column">(?:<a [^>]*>)?([^<]*)<', html)


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response.status_code, response.content.decode()


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
    assert columns(html) == ["Alma Ames", "Bo Berg", "Cy Cole"]  # names, not linked
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
