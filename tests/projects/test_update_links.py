"""Update pages offer only the links the person's permissions allow (projects.permissions)."""

import re

import pytest
from django.urls import reverse

from portal.organizations.models import OrgRole
from projects import services
from tests.factories.organizations import UserFactory

from .update_helpers import access, ready_draft

pytestmark = pytest.mark.django_db


def _update_links(html: str, project) -> set[str]:
    prefix = f"/projects/{project.pk}/updates/"
    return {href for href in re.findall(r'href="([^"#?]+)', html) if href.startswith(prefix)}


@pytest.fixture
def updates(project, cdmo_pm):
    draft = ready_draft(cdmo_pm, project, title="Published one")
    published = services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    correction = services.update_correct(access=access(cdmo_pm, project), update=published)
    draft = ready_draft(cdmo_pm, project, title="Draft in progress")
    return {"published": published, "correction": correction, "draft": draft}


def _edit_url(project, update) -> str:
    return reverse("projects:update_edit", kwargs={"project_id": project.pk, "statusupdate_id": update.pk})


def test_the_cdmo_executive_sees_drafts_but_no_link_that_refuses_them(client, project, updates):
    executive = UserFactory(organization=project.cdmo, org_role=OrgRole.EXECUTIVE)
    client.force_login(executive)
    pages = [reverse("projects:updates", kwargs={"project_id": project.pk})]
    pages += [update.get_absolute_url() for update in updates.values()]
    links = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        links |= _update_links(response.content.decode(), project)
    assert updates["draft"].get_absolute_url() in links  # the draft is still reachable, to read
    for update in updates.values():
        assert _edit_url(project, update) not in links
    for link in links:
        assert client.get(link).status_code != 403, f"the executive is offered {link}, which refuses them"


def test_the_cdmo_project_manager_still_gets_the_edit_links(client, project, cdmo_pm, updates):
    client.force_login(cdmo_pm)
    html = client.get(reverse("projects:updates", kwargs={"project_id": project.pk})).content.decode()
    links = _update_links(html, project)
    assert _edit_url(project, updates["draft"]) in links
    assert _edit_url(project, updates["correction"]) in links
