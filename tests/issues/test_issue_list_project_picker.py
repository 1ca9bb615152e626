"""The service-issue list filters by project through the type-ahead picker: no drop-down of every
visible project, `?project=<id>` still works, typed text filters by code or name."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import TeamRole
from tests.factories.issues import ServiceIssueFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project
from tests.http import text

pytestmark = pytest.mark.django_db

URL = reverse("issues:list")


@pytest.fixture
def two_projects(project, team):
    other = staff_project(
        ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-202", name="Betamab")
    )
    ProjectMemberFactory(project=other, role=TeamRole.SPONSOR_LEAD, user=team["lead"])
    ServiceIssueFactory(project=project, title="CoA three weeks late")
    ServiceIssueFactory(project=other, title="Audit slot cancelled")
    return project, other


def test_filters_by_id_and_shows_the_chosen_project(client, login, team, two_projects):
    project, other = two_projects
    login(team["lead"])
    body = text(client.get(URL, {"project": other.pk}))
    assert "Audit slot cancelled" in body and "CoA three weeks late" not in body
    assert f'<input type="hidden" name="project" value="{other.pk}"' in body
    assert 'name="project_q" value="ACM-202 · Betamab"' in body


def test_filters_by_typed_text_and_in_the_htmx_fragment(client, login, team, two_projects):
    login(team["lead"])
    body = text(client.get(URL, {"project_q": "zanreli"}))
    assert "CoA three weeks late" in body and "Audit slot cancelled" not in body
    fragment = text(client.get(URL, {"project_q": "betamab"}, HTTP_HX_REQUEST="true"))
    assert "Audit slot cancelled" in fragment and "CoA three weeks late" not in fragment
    assert "<html" not in fragment


def test_an_invisible_project_shows_nothing(client, login, team, two_projects):
    secret = staff_project(ProjectFactory(code="SEC-999", name="Secret program"))
    ServiceIssueFactory(project=secret, title="Secret issue")
    login(team["lead"])
    for params in ({"project": secret.pk}, {"project_q": "SEC"}):
        body = text(client.get(URL, params))
        assert "Secret" not in body and "SEC-999" not in body


def test_renders_a_combobox_not_a_select_of_projects(client, login, team, two_projects):
    project, other = two_projects
    login(team["lead"])
    body = text(client.get(URL))
    assert '<select name="project"' not in body and f'<option value="{other.pk}"' not in body
    combobox = re.search(r'<input type="text" name="project_q"[^>]*>', body).group(0)
    for attribute in ('role="combobox"', 'aria-expanded="false"', 'aria-controls="id_project_q-listbox"'):
        assert attribute in combobox
    assert 'hx-push-url="false"' in combobox  # not the filter form's URL pushing


def test_the_project_tab_has_no_project_picker(client, login, project, team):
    login(team["lead"])
    body = text(client.get(reverse("issues:project_issues", kwargs={"project_id": project.pk})))
    assert 'name="project_q"' not in body


@pytest.mark.parametrize("params", [{}, {"project_q": "ACM"}, {"project": "chosen"}])
def test_query_count_does_not_grow_with_the_projects(client, login, project, team, params):
    lead = team["lead"]
    ServiceIssueFactory(project=project)
    if params.get("project") == "chosen":
        params = {"project": project.pk}
    login(lead)
    counts = []
    for size in (3, 30):
        while lead.memberships.count() < size:
            extra = staff_project(ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo))
            ProjectMemberFactory(project=extra, role=TeamRole.SPONSOR_LEAD, user=lead)
            ServiceIssueFactory(project=extra)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 10
