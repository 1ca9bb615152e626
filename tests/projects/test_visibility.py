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


@pytest.mark.django_db
def test_the_compiled_project_read_sees_exactly_what_the_rule_sees(
    project,
    sponsor_lead,
    cdmo_pm,
    sponsor_member_off_team,
    sponsor_exec,
    cdmo_admin,
    outsider,
    django_user_model,
):
    """`visible_project` and the project pages' `project_and_team` run `projects_visible_to`'s
    query compiled once per kind of viewer: for every person and project they find a project
    exactly when the rule does (proposals hidden from the side that did not make them, removed
    members, other tenants), and the team only then."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404
    from django.utils import timezone

    from projects.models import ProposalStatus
    from projects.selectors import project_and_team, project_team, visible_project

    sponsor, cdmo = project.sponsor, project.cdmo
    to_cdmo = ProjectFactory(sponsor=sponsor, cdmo=cdmo, proposal=True)  # the sponsor proposed it
    to_sponsor = ProjectFactory(sponsor=sponsor, cdmo=cdmo, proposal=True, proposed_by_org=cdmo)
    declined = ProjectFactory(
        sponsor=sponsor,
        cdmo=cdmo,
        proposal=True,
        proposal_status=ProposalStatus.DECLINED,
        decline_reason="No slot",
    )
    for proposal in (to_cdmo, to_sponsor, declined):
        ProjectMemberFactory(project=proposal, role=TeamRole.SPONSOR_LEAD, user=sponsor_lead)
        ProjectMemberFactory(project=proposal, role=TeamRole.PROJECT_MANAGER, user=cdmo_pm)
    removed = UserFactory(organization=sponsor)
    ProjectMemberFactory(project=project, user=removed, removed_at=timezone.now())
    staff = django_user_model.objects.create_superuser(
        email="root@portal.test", password="x", full_name="Root"
    )
    people = [
        sponsor_lead,
        cdmo_pm,
        sponsor_member_off_team,
        sponsor_exec,
        cdmo_admin,
        outsider,
        removed,
        staff,
    ]
    projects = [
        project,
        to_cdmo,
        to_sponsor,
        declined,
        *outsider.memberships.values_list("project", flat=True),
    ]
    seen = 0
    for user in [*people, AnonymousUser()]:
        for pk in [p if isinstance(p, int) else p.pk for p in projects] + [10**9]:
            if projects_visible_to(user=user).filter(pk=pk).exists():
                seen += 1
                found, members = project_and_team(user=user, project_id=pk)
                assert visible_project(user=user, project_id=pk).pk == found.pk == pk
                assert found.sponsor.pk == found.sponsor_id and found.cdmo.pk == found.cdmo_id
                assert [m.pk for m in members] == [m.pk for m in project_team(project=found)]
            else:
                with pytest.raises(Http404):
                    visible_project(user=user, project_id=pk)
                with pytest.raises(Http404):
                    project_and_team(user=user, project_id=pk)
    assert seen == 12  # lead 3, PM 2, sponsor exec 3, CDMO admin 3 (the outsider's too), outsider 1
