import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pghistory.models import Events

from portal.celery import app
from projects.models import Project, ProjectMember
from tests.projects.update_helpers import project_edit_form


@pytest.mark.django_db
def test_editing_a_project_records_who_what_and_why(client, project, cdmo_pm):
    client.force_login(cdmo_pm)
    form = project_edit_form(
        project, name="Renamed program", description="", phase="phase_3", status="active"
    )
    assert client.post(reverse("projects:edit", args=[project.pk]), form).status_code == 302
    event = Events.objects.tracks(project).filter(pgh_label="update").order_by("-pgh_created_at").first()
    assert event.pgh_context["user"] == cdmo_pm.pk
    assert event.pgh_context["reason"] == "Project details edited"
    assert event.pgh_diff["name"] == ["Zanrelimab scale-up", "Renamed program"]

    history = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert "Lena Hoffmann" in history
    assert "Zanrelimab scale-up" in history and "Renamed program" in history
    assert "Clinical phase" in history and "Phase 1" in history and "Phase 3" in history


@pytest.mark.django_db
def test_the_audit_trail_cannot_be_rewritten(project):
    event_table = (
        Project.pgh_event_models["update"]._meta.db_table if hasattr(Project, "pgh_event_models") else None
    )
    with pghistory.context(user=None):
        project.name = "Changed"
        project.save()
    table = event_table or "projects_projectevent"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET name = 'forged'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


@pytest.mark.django_db
def test_records_are_never_hard_deleted(project, sponsor_lead):
    with pytest.raises(DatabaseError), transaction.atomic():
        ProjectMember.objects.filter(project=project).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Project.objects.filter(pk=project.pk).delete()
    assert Project.objects.filter(pk=project.pk).exists()


@app.task(name="tests.rename_project")
def rename_project(project_id: int, name: str) -> None:
    Project.objects.filter(pk=project_id).update(name=name)


@pytest.mark.django_db
def test_changes_made_by_a_celery_task_name_the_task_as_actor(client, project, sponsor_lead):
    rename_project.delay(project.pk, "Renamed by a worker")
    event = Events.objects.tracks(project).filter(pgh_label="update").order_by("-pgh_created_at").first()
    assert event.pgh_context["actor"] == "task:tests.rename_project"
    client.force_login(sponsor_lead)
    history = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert "Portal monitoring" in history


@pytest.mark.django_db
def test_history_tab_lists_team_changes_in_plain_language(
    client, project, cdmo_pm, sponsor_lead, decision_maker
):
    client.force_login(cdmo_pm)
    member = ProjectMember.objects.get(user=decision_maker)
    # The only decision-maker: removal is confirmed first.
    client.post(reverse("projects:member_remove", args=[project.pk, member.pk]), {"confirm": "1"})
    client.force_login(sponsor_lead)
    history = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert "Michael Ross removed from the team" in history
    assert "Removed at" in history


@pytest.mark.django_db
def test_two_services_in_one_request_or_task_keep_their_own_reasons(project, cdmo_pm):
    from portal.core.audit import audited

    def last_event():
        return (
            Events.objects.tracks(project)
            .filter(pgh_label="update")
            .order_by("-pgh_created_at", "-pgh_id")[0]
        )

    with pghistory.context(user=cdmo_pm.pk, url="/projects/1/edit/"):
        with audited("Project renamed"):
            project.name = "First"
            project.save()
        first = last_event()
        with audited("Phase moved on", rule="phase"):
            project.phase = "phase_3"
            project.save()
        second = last_event()
        project.description = "Outside any service"
        project.save()
        outer = last_event()

    assert first.pgh_context["reason"] == "Project renamed"
    assert second.pgh_context["reason"] == "Phase moved on" and second.pgh_context["rule"] == "phase"
    assert "reason" not in outer.pgh_context
    # Each keeps who and where from the request around it.
    for event in (first, second, outer):
        assert event.pgh_context["user"] == cdmo_pm.pk and event.pgh_context["url"] == "/projects/1/edit/"


def test_history_subjects_are_quoted_once():
    from oversight.monitoring.models import Flag
    from portal.core.history import _subject

    assert _subject(Project, {"name": "Zanrelimab"}, {}) == "Project “Zanrelimab”"
    assert _subject(Flag, {"explanation": "“EB-01” is forecast 3 days late."}, {}) == (
        "Flag “EB-01” is forecast 3 days late."
    )
