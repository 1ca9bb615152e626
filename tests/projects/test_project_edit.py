import pytest
from django.urls import reverse

from portal.accounts.models import OrgRole
from projects.models import Project
from tests.factories.organizations import UserFactory
from tests.projects.update_helpers import project_edit_form


@pytest.mark.django_db
def test_project_manager_edits_the_project(client, project, cdmo_pm):
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        project_edit_form(project, name="New name", update_cadence_days=14),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.update_cadence_days, project.version) == ("New name", 14, 2)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["sponsor_lead", "cdmo_sme", "sponsor_exec"])
def test_others_on_the_project_may_read_but_not_edit(client, project, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 403
    assert (
        client.post(
            reverse("projects:edit", args=[project.pk]), project_edit_form(project, name="Hijack")
        ).status_code
        == 403
    )
    project.refresh_from_db()
    assert project.name != "Hijack"


@pytest.mark.django_db
def test_bad_input_comes_back_with_errors_and_what_was_typed(client, project, cdmo_pm):
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        project_edit_form(project, name="Typed but unsaved", update_cadence_days=0, start_date="not-a-date"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Typed but unsaved"' in body
    assert "Enter a valid date" in body
    assert "greater than or equal to 1" in body
    project.refresh_from_db()
    assert project.name == "Zanrelimab scale-up"


@pytest.mark.django_db
def test_concurrent_edits_never_silently_overwrite(client, project, cdmo_pm, cdmo_admin):
    stale = project_edit_form(project)  # both people open the form at version 1
    client.force_login(cdmo_admin)
    assert (
        client.post(
            reverse("projects:edit", args=[project.pk]), {**stale, "name": "Admin's name"}
        ).status_code
        == 302
    )
    client.force_login(cdmo_pm)
    response = client.post(reverse("projects:edit", args=[project.pk]), {**stale, "name": "PM's name"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this record" in body
    assert 'value="PM&#x27;s name"' in body  # what the PM typed is kept
    project.refresh_from_db()
    assert project.name == "Admin's name"


@pytest.mark.django_db
def test_duplicate_code_for_the_same_sponsor_is_a_form_error(client, project, cdmo_pm):
    from tests.factories.projects import ProjectFactory

    ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-999")
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:edit", args=[project.pk]), project_edit_form(project, code="acm-999")
    )
    assert response.status_code == 200
    assert "already uses that code" in response.content.decode()


@pytest.mark.django_db
def test_cdmo_admin_creates_a_project_for_a_sponsor(client, cdmo, sponsor):
    admin = UserFactory(organization=cdmo, org_role=OrgRole.ADMIN)
    client.force_login(admin)
    assert client.get(reverse("projects:create")).status_code == 200
    response = client.post(
        reverse("projects:create"),
        {
            "counterparty": sponsor.pk,
            "code": "new-1",
            "name": "New program",
            "modality": "peptide",
            "phase": "phase_2",
            "service_scope": ["fill_finish"],
            "start_date": "2026-11-02",
            "update_cadence_days": 7,
            "question_response_days": 2,
        },
    )
    project = Project.objects.get(code="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("projects:team", args=[project.pk])
    assert (project.sponsor, project.cdmo) == (sponsor, cdmo)


@pytest.mark.django_db
def test_members_cannot_create_projects(client, cdmo_pm):
    client.force_login(cdmo_pm)
    assert client.get(reverse("projects:create")).status_code == 403
