"""The project picker's search (projects:search): visible projects only, proposals as the project
list shows them, at most SEARCH_LIMIT, best matches first, in a fixed number of queries."""

import pytest
from django.urls import reverse

from portal.accounts.models import OrgRole
from projects.models import TeamRole
from projects.selectors import SEARCH_LIMIT
from tests.factories.organizations import CDMOFactory, UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory
from tests.http import text

pytestmark = pytest.mark.django_db

# session, user, their organization (middleware), the search
SEARCH_QUERIES = 4


def _search(client, **params) -> str:
    response = client.get(reverse("projects:search"), params)
    assert response.status_code == 200
    return text(response)


def test_finds_visible_projects_by_code_or_name(client, login, project, sponsor_lead):
    login(sponsor_lead)
    assert "ACM-101" in _search(client, q="acm-1")
    assert "ACM-101" in _search(client, q="zanreli")
    assert "ACM-101" in _search(client, field="project", project_q="Scale-Up")  # what htmx sends
    body = _search(client, q="nothing like it")
    assert "ACM-101" not in body and "No project matches “nothing like it”" in body


def test_another_organizations_project_never_appears(client, login, project, sponsor_lead, outsider):
    login(outsider)
    assert "ACM-101" not in _search(client, q="ACM")
    assert "ACM-101" not in _search(client, q="")
    assert "OTH-001" in _search(client, q="oth")
    login(sponsor_lead)
    assert "OTH-001" not in _search(client, q="OTH")


def test_only_projects_on_the_team_unless_org_wide(client, login, project, sponsor_lead, sponsor_exec):
    ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-555", name="Not my team")
    login(sponsor_lead)
    assert "ACM-555" not in _search(client, q="ACM")
    login(sponsor_exec)
    body = _search(client, q="ACM")
    assert "ACM-555" in body and "ACM-101" in body


def test_proposals_only_for_the_side_that_proposed(client, login, project, sponsor_exec, cdmo_admin):
    ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-777", name="Proposed", proposal=True)
    login(sponsor_exec)
    assert "ACM-777" in _search(client, q="ACM-7")
    login(cdmo_admin)
    assert "ACM-777" not in _search(client, q="ACM-7")


def test_at_most_the_limit_best_match_first_in_fixed_queries(
    client, login, project, sponsor_exec, django_assert_max_num_queries
):
    for n in range(SEARCH_LIMIT + 10):
        ProjectFactory(
            sponsor=project.sponsor, cdmo=project.cdmo, code=f"BIG-{n:03d}", name=f"Big program {n}"
        )
    ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="XYZ-001", name="Contains big inside")
    ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="BIG", name="Exactly the code")
    login(sponsor_exec)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.get(reverse("projects:search"), {"q": "big"})
    body = response.content.decode()
    assert body.count('role="option" class="picker-option"') == SEARCH_LIMIT
    assert "Type more of the code or name" in body
    codes = [part.split("<")[0] for part in body.split('<span class="code">')[1:]]
    assert codes[:3] == ["BIG", "BIG-000", "BIG-001"]  # exact code, then codes starting with it
    assert "XYZ-001" not in codes  # a name containing it ranks after every code that starts with it


def test_junk_input_and_who_may_ask(client, login, project, sponsor_lead):
    login(sponsor_lead)
    assert "ACM-101" in _search(client, q="\x00\x1f")  # control characters dropped: an empty search
    assert "ACM-101" in _search(client, q="\x00ACM")
    assert "ACM-101" in _search(client, field="../../etc", q="ACM")  # an odd field name is ignored
    assert client.get(reverse("projects:search"), {"q": "A" * 5000}).status_code == 200
    staff = UserFactory(organization=None, org_role=OrgRole.MEMBER, email="staff@portal.test")
    login(staff)
    assert client.get(reverse("projects:search"), {"q": "ACM"}).status_code == 404
    client.logout()
    assert client.get(reverse("projects:search"), {"q": "ACM"}).status_code == 302


def test_the_cdmo_side_sees_its_projects_across_sponsors(client, login, project, cdmo_pm):
    other = ProjectFactory(cdmo=project.cdmo, code="ZED-002", name="Other sponsor")
    ProjectMemberFactory(project=other, role=TeamRole.PROJECT_MANAGER, user=cdmo_pm)
    ProjectFactory(cdmo=CDMOFactory(), code="ZED-003", name="Another CDMO")
    login(cdmo_pm)
    body = _search(client, q="zed")
    assert "ZED-002" in body and "ZED-003" not in body
