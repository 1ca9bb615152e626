"""The tenancy rule, written once in projects_visible_to, checked for every kind of person."""

import pytest
from django.urls import reverse

from portal.accounts.models import OrgRole
from projects.models import TeamRole
from projects.selectors import projects_visible_to
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("sponsor_lead", True),
        ("cdmo_pm", True),
        ("sponsor_exec", True),  # executives see every program of their organization
        ("cdmo_admin", True),  # so do admins
        ("sponsor_member_off_team", False),  # same sponsor, not on the team
        ("outsider", False),  # another sponsor at the same CDMO
    ],
)
def test_who_sees_the_project(request, project, who, sees, client):
    user = request.getfixturevalue(who)
    assert projects_visible_to(user=user).filter(pk=project.pk).exists() is sees
    client.force_login(user)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == (200 if sees else 404)


@pytest.mark.django_db
def test_removed_team_member_loses_access(project, sponsor_lead):
    from django.utils import timezone

    sponsor_lead.memberships.update(removed_at=timezone.now())
    assert not projects_visible_to(user=sponsor_lead).exists()


@pytest.mark.django_db
def test_executive_of_one_sponsor_never_sees_another_sponsors_project_at_the_same_cdmo(project):
    other_exec = UserFactory(organization=SponsorFactory(), org_role=OrgRole.EXECUTIVE)
    assert not projects_visible_to(user=other_exec).exists()


@pytest.mark.django_db
def test_cdmo_executive_sees_programs_across_all_sponsors(cdmo):
    projects = [ProjectFactory(cdmo=cdmo, sponsor=SponsorFactory()) for _ in range(3)]
    ProjectFactory(cdmo=CDMOFactory())  # another CDMO's program
    executive = UserFactory(organization=cdmo, org_role=OrgRole.EXECUTIVE)
    assert set(projects_visible_to(user=executive)) == set(projects)


@pytest.mark.django_db
def test_anonymous_and_staff_without_organization_see_nothing(project, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    staff = django_user_model.objects.create_superuser(
        email="root@portal.test", password="x", full_name="Root"
    )
    assert not projects_visible_to(user=AnonymousUser()).exists()
    assert not projects_visible_to(user=staff).exists()


@pytest.mark.django_db
def test_sponsor_user_on_two_cdmos_sees_both(sponsor):
    lead = UserFactory(organization=sponsor)
    for _ in range(2):
        ProjectMemberFactory(
            project=ProjectFactory(sponsor=sponsor, cdmo=CDMOFactory()), user=lead, role=TeamRole.SPONSOR_LEAD
        )
    assert projects_visible_to(user=lead).count() == 2
