"""My action items filter by project through the type-ahead picker (projects/forms/picker.py):
never a drop-down of every visible project, `?project=<id>` links keep working, and typed text
filters by code or name without JavaScript."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import MeetingStatus
from projects.models import TeamRole
from tests.factories.meetings import ActionItemFactory, held_meeting
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project
from tests.http import text

pytestmark = pytest.mark.django_db

URL = reverse("meetings:my_action_items")


def _second_project(project, lead):
    other = staff_project(
        ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-202", name="Betamab")
    )
    ProjectMemberFactory(project=other, role=TeamRole.SPONSOR_LEAD, user=lead)
    return other


def _item(project, title, owner=None):
    owned = {"owner": owner} if owner else {}
    return ActionItemFactory(
        meeting=held_meeting(project, status=MeetingStatus.MINUTES_DRAFT), title=title, **owned
    )


@pytest.fixture
def two_projects(project, team):
    other = _second_project(project, team["lead"])
    _item(project, "Send the CoA", team["lead"])
    _item(other, "Book the audit", team["lead"])
    return project, other


def _picker_values(body: str) -> tuple[str, str]:
    hidden = re.search(r'<input type="hidden" name="project" value="([^"]*)"', body).group(1)
    typed = re.search(r'<input type="text" name="project_q"(?: value="([^"]*)")?', body).group(1) or ""
    return hidden, typed


def test_filters_by_project_id_and_shows_the_chosen_project(client, login, team, two_projects):
    project, other = two_projects
    login(team["lead"])
    body = text(client.get(URL, {"project": other.pk}))
    assert "Book the audit" in body and "Send the CoA" not in body
    assert _picker_values(body) == (str(other.pk), "ACM-202 · Betamab")


def test_filters_by_typed_text_without_javascript(client, login, team, two_projects):
    login(team["lead"])
    body = text(client.get(URL, {"project_q": "betam"}))
    assert "Book the audit" in body and "Send the CoA" not in body
    assert _picker_values(body) == ("", "betam")
    body = text(client.get(URL, {"project_q": "acm-"}))
    assert "Book the audit" in body and "Send the CoA" in body


def test_typed_text_wins_over_an_id_unless_it_is_that_projects_label(client, login, team, two_projects):
    project, other = two_projects
    login(team["lead"])
    body = text(client.get(URL, {"project": other.pk, "project_q": "ACM-101"}))
    assert "Send the CoA" in body and "Book the audit" not in body
    body = text(client.get(URL, {"project": other.pk, "project_q": "ACM-202 · Betamab"}))
    assert "Book the audit" in body and "Send the CoA" not in body


def test_an_invisible_project_id_shows_nothing_of_it(client, login, team, two_projects, outsider):
    hidden = ProjectFactory(code="SEC-999", name="Secret program")
    _item(staff_project(hidden), "Secret step")
    login(team["lead"])
    body = text(client.get(URL, {"project": hidden.pk, "owner": "anyone"}))
    assert "Secret" not in body and "SEC-999" not in body
    assert "Nothing matches these filters" in body


def test_renders_a_combobox_not_a_select_of_projects(client, login, team, two_projects):
    login(team["lead"])
    body = text(client.get(URL))
    project, other = two_projects
    assert '<select name="project"' not in body
    assert f'<option value="{other.pk}"' not in body and f'<option value="{project.pk}"' not in body
    combobox = re.search(r'<input type="text" name="project_q"[^>]*>', body).group(0)
    for attribute in ('role="combobox"', 'aria-expanded="false"', 'aria-controls="id_project_q-listbox"'):
        assert attribute in combobox
    assert f'hx-get="{reverse("projects:search")}?field=project"' in combobox
    assert 'role="listbox" id="id_project_q-listbox"' in body
    assert "js/project-picker" in body and "style=" not in combobox


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"owner": "anyone"}, {"project_q": "ACM"}, {"project": "chosen"}])
def test_query_count_does_not_grow_with_the_projects(client, login, project, team, params):
    lead = team["lead"]
    _item(project, "First", lead)
    if params.get("project") == "chosen":
        params = {"project": project.pk}
    login(lead)
    counts = []
    for size in (3, 30):
        while lead.memberships.count() < size:
            extra = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo)
            ProjectMemberFactory(project=extra, role=TeamRole.SPONSOR_LEAD, user=lead)
            _item(staff_project(extra), f"Item of {extra.code}", lead)
        counts.append(_queries(client, params))
    assert counts[0] == counts[1] <= 7
