import pytest
from django.contrib import admin
from django.urls import reverse

from portal.core.models import OutboxTask
from tests.staff import staff_user
from tests.test_outsider_walk import OUR_MODULES
from tests.world import populate_everything


def _our_admins():
    return [(m, a) for m, a in admin.site._registry.items() if m.__module__.startswith(OUR_MODULES)]


@pytest.mark.django_db
def test_staff_can_browse_search_and_open_every_admin_page(client, django_user_model, project):
    populate_everything(project)
    OutboxTask.objects.create(task_name="projects.tasks.notify_update_published", args=[1], error="down")
    staff = staff_user(django_user_model)
    client.force_login(staff)
    admins = _our_admins()
    assert {m._meta.app_label for m, _ in admins} >= {
        "accounts",
        "organizations",
        "projects",
        "meetings",
        "issues",
        "notifications",
        "monitoring",
    }
    for model, _model_admin in admins:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "ACM"}).status_code == 200, url
        obj = model._default_manager.first()
        assert obj is not None, f"the world has no {model._meta.label} to open"
        change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200, change
    change = reverse("admin:projects_project_change", args=[project.pk])
    assert "ACM-101" in client.get(change).content.decode()


@pytest.mark.django_db
def test_records_of_what_happened_are_read_only_in_the_admin(rf, django_user_model):
    staff = staff_user(django_user_model)
    request = rf.get("/admin/")
    request.user = staff
    for model, model_admin in _our_admins():
        assert not model_admin.has_delete_permission(request), model._meta.label
        if model._meta.app_label in {"meetings", "issues", "notifications", "monitoring"}:
            assert not model_admin.has_add_permission(request), model._meta.label
            assert not model_admin.has_change_permission(request), model._meta.label


@pytest.mark.django_db
def test_admin_never_offers_to_delete_records(client, django_user_model, project):
    staff = staff_user(django_user_model)
    client.force_login(staff)
    response = client.get(reverse("admin:projects_project_delete", args=[project.pk]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_portal_users_cannot_open_the_admin(client, cdmo_admin):
    client.force_login(cdmo_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
