"""A person deactivated (or reactivated) by their org admin: the projects they are on, or named by
as an escalation contact, are re-checked at once, not at the nightly reconciliation."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from oversight.monitoring import tasks
from oversight.monitoring.listeners import projects_of_person
from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.services import sweep
from portal.accounts.models import User
from portal.core.models import OutboxTask
from projects.models import ProjectMember
from tests.factories.projects import staff_project
from tests.projects.test_working_agreement import _in_force

NOW = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
RECHECK = tasks.recheck_project.name


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _contact_flags(project):
    return list(
        Flag.objects.filter(project=project, kind=FlagKind.ESCALATION_CONTACT_LEFT, cleared_at__isnull=True)
    )


def _rechecks(project) -> int:
    return OutboxTask.objects.filter(task_name=RECHECK, args=[project.pk]).count()


def _edit(client, person, capture, **data):
    with capture(execute=True):
        response = client.post(reverse("organizations:member_edit", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]


def test_deactivating_a_contact_raises_the_flag_at_once(
    login, project, sponsor_lead, cdmo_pm, cdmo_admin, settings, django_capture_on_commit_callbacks
):
    _in_force(project, sponsor_lead, cdmo_pm)
    sweep(notify=False)
    assert _contact_flags(project) == []
    settings.MONITORING_RECHECK_ON_CHANGE = True

    before = _rechecks(project)
    _edit(login(cdmo_admin), cdmo_pm, django_capture_on_commit_callbacks, org_role="member")
    cdmo_pm.refresh_from_db()
    assert not cdmo_pm.is_active
    assert _rechecks(project) == before + 1  # member and contact: asked once
    [flag] = _contact_flags(project)
    assert flag.explanation.startswith("Lena Hoffmann (the CDMO's escalation contact) has left the team")


def test_reactivating_a_contact_clears_the_flag_at_once(
    login, project, sponsor_lead, cdmo_pm, cdmo_admin, settings, django_capture_on_commit_callbacks
):
    _in_force(project, sponsor_lead, cdmo_pm)
    User.objects.filter(pk=cdmo_pm.pk).update(is_active=False)  # no save: nothing asked
    sweep(notify=False)
    [flag] = _contact_flags(project)
    settings.MONITORING_RECHECK_ON_CHANGE = True

    before = _rechecks(project)
    _edit(login(cdmo_admin), cdmo_pm, django_capture_on_commit_callbacks, org_role="member", is_active="on")
    cdmo_pm.refresh_from_db()
    assert cdmo_pm.is_active
    assert _rechecks(project) == before + 1
    assert _contact_flags(project) == []
    assert Flag.objects.get(pk=flag.pk).cleared_at is not None


def test_a_role_change_that_leaves_them_active_asks_for_nothing(
    login, project, sponsor_lead, cdmo_pm, cdmo_admin, settings, django_capture_on_commit_callbacks
):
    _in_force(project, sponsor_lead, cdmo_pm)
    settings.MONITORING_RECHECK_ON_CHANGE = True
    before = _rechecks(project)
    _edit(login(cdmo_admin), cdmo_pm, django_capture_on_commit_callbacks, org_role="admin", is_active="on")
    cdmo_pm.refresh_from_db()
    assert cdmo_pm.org_role == "admin"
    assert _rechecks(project) == before


def test_a_contact_no_longer_on_the_team_is_still_rechecked_through_the_agreement(
    login, project, sponsor_lead, cdmo_pm, decision_maker, settings, django_capture_on_commit_callbacks
):
    """Removed from the team earlier (flag raised then), then deactivated: the agreement names
    them, so its project is asked again."""
    _in_force(project, sponsor_lead, cdmo_pm)
    ProjectMember.objects.filter(project=project, user=cdmo_pm).update(removed_at=NOW)
    assert projects_of_person(cdmo_pm.pk) == [project.pk]
    settings.MONITORING_RECHECK_ON_CHANGE = True
    before = _rechecks(project)
    with django_capture_on_commit_callbacks(execute=True):
        cdmo_pm.is_active = False
        cdmo_pm.save(update_fields=["is_active"])
    assert _rechecks(project) == before + 1
    assert len(_contact_flags(project)) == 1


def test_the_projects_of_a_person_are_one_query(project, sponsor_lead, cdmo_pm, django_assert_num_queries):
    _in_force(project, sponsor_lead, cdmo_pm)
    others = [staff_project(sponsor=project.sponsor, cdmo=project.cdmo) for _ in range(3)]
    for other in others[:2]:
        ProjectMember.objects.create(project=other, user=cdmo_pm, side="cdmo", role="sme")
    ProjectMember.objects.filter(project=others[1], user=cdmo_pm).update(removed_at=NOW)
    with django_assert_num_queries(1):
        found = projects_of_person(cdmo_pm.pk)
    assert found == sorted([project.pk, others[0].pk])


def test_a_save_that_does_not_touch_is_active_costs_no_query(cdmo_pm, settings, django_assert_num_queries):
    settings.MONITORING_RECHECK_ON_CHANGE = True
    with django_assert_num_queries(1):  # the UPDATE itself
        cdmo_pm.full_name = "Lena Hoffmann-Berg"
        cdmo_pm.save(update_fields=["full_name"])
