import pytest
from django.contrib import admin
from django.urls import reverse

from portal.organizations.factories import InvitationFactory
from projects.factories import staff_project


@pytest.mark.django_db
def test_staff_can_browse_and_search_every_admin_list(client, django_user_model, project):
    staff_project(project)
    InvitationFactory(organization=project.sponsor)
    staff = django_user_model.objects.create_superuser(email="staff@portal.test", password="x", full_name="Staff")
    client.force_login(staff)
    for model in admin.site._registry:
        if model._meta.app_label not in {"accounts", "organizations", "projects", "meetings", "issues"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "ACM"}).status_code == 200, url
    change = reverse("admin:projects_project_change", args=[project.pk])
    assert "ACM-101" in client.get(change).content.decode()


@pytest.mark.django_db
def test_admin_never_offers_to_delete_records(client, django_user_model, project):
    staff = django_user_model.objects.create_superuser(email="staff@portal.test", password="x", full_name="Staff")
    client.force_login(staff)
    response = client.get(reverse("admin:projects_project_delete", args=[project.pk]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_portal_users_cannot_open_the_admin(client, cdmo_admin):
    client.force_login(cdmo_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
