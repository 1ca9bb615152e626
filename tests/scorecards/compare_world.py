"""The world of the comparison tests: two sponsors sharing the CDMO Xeno, figures known by hand,
and readers for the pages' tables."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects, roll_up
from portal.accounts.models import OrgRole
from projects.models import ProposalStatus, TeamRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project

from .helpers import done_milestone, member

d = dt.date
COMPARE = reverse("scorecards:compare")
MANAGERS = reverse("scorecards:compare_managers")


def milestones(project, baseline: dt.date, *actuals: dt.date):
    for actual in actuals:
        done_milestone(project, baseline=baseline, actual=actual)


@pytest.fixture(name="world")
def world_fixture(db):
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
