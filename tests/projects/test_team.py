import pytest
from django.urls import reverse

from projects.models import ProjectMember, Side, TeamRole
from projects.selectors import team_gaps
from tests.factories.organizations import UserFactory


@pytest.mark.django_db
def test_project_manager_adds_a_sponsor_decision_maker(client, project, cdmo_pm):
    person = UserFactory(organization=project.sponsor, full_name="Dana Decider")
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:team", args=[project.pk]),
        {
            "side": "sponsor",
            "sponsor-user": person.pk,
            "sponsor-role": TeamRole.DECISION_MAKER,
        },
    )
    assert response.status_code == 302
    member = ProjectMember.objects.get(user=person)
    assert (member.side, member.role) == (Side.SPONSOR, TeamRole.DECISION_MAKER)


@pytest.mark.django_db
def test_people_of_a_third_organization_cannot_be_added(client, project, cdmo_pm, outsider):
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:team", args=[project.pk]),
        {
            "side": "sponsor",
            "sponsor-user": outsider.pk,
            "sponsor-role": TeamRole.SPONSOR_MEMBER,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ProjectMember.objects.filter(project=project, user=outsider).exists()


@pytest.mark.django_db
def test_point_of_contact_hands_over_within_a_side(client, project, cdmo_pm, cdmo_sme):
    client.force_login(cdmo_pm)
    sme_member = ProjectMember.objects.get(user=cdmo_sme)
    response = client.post(
        reverse("projects:member_edit", args=[project.pk, sme_member.pk]),
        {"role": TeamRole.SME, "is_point_of_contact": "on"},
    )
    assert response.status_code == 302
    contacts = ProjectMember.objects.filter(project=project, side=Side.CDMO, is_point_of_contact=True)
    assert [m.user for m in contacts] == [cdmo_sme]


@pytest.mark.django_db
def test_sponsor_lead_manages_only_the_sponsor_side(client, project, sponsor_lead, cdmo_sme):
    client.force_login(sponsor_lead)
    sme_member = ProjectMember.objects.get(user=cdmo_sme)
    assert client.post(reverse("projects:member_remove", args=[project.pk, sme_member.pk])).status_code == 403
    response = client.post(reverse("projects:team", args=[project.pk]), {"side": "cdmo"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_sponsor_member_can_only_read_the_team(client, project, sponsor_lead, decision_maker):
    member = ProjectMember.objects.get(user=decision_maker)
    client.force_login(decision_maker)
    page = client.get(reverse("projects:team", args=[project.pk])).content.decode()
    assert "Emily Carter" in page and "Add someone" not in page
    assert client.post(reverse("projects:member_remove", args=[project.pk, member.pk])).status_code == 403


@pytest.mark.django_db
def test_removal_is_recorded_not_deleted(client, project, cdmo_pm, decision_maker):
    member = ProjectMember.objects.get(user=decision_maker)
    client.force_login(cdmo_pm)
    # The only decision-maker: removal is confirmed first (tests/projects/test_team_removal.py).
    client.post(reverse("projects:member_remove", args=[project.pk, member.pk]), {"confirm": "1"})
    member.refresh_from_db()
    assert member.removed_at is not None
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "No decision-maker" in page


@pytest.mark.django_db
def test_team_gaps_flag_missing_decision_maker_and_contacts(project, sponsor_lead, cdmo_sme):
    gaps = team_gaps(members=ProjectMember.objects.filter(project=project))
    assert gaps.no_decision_maker and gaps.no_cdmo_contact and not gaps.no_sponsor_contact


@pytest.mark.django_db
def test_project_page_queries_do_not_grow_with_the_team(
    client, project, sponsor_lead, django_assert_max_num_queries
):
    from tests.factories.projects import ProjectMemberFactory

    client.force_login(sponsor_lead)
    with django_assert_max_num_queries(11) as small:
        client.get(reverse("projects:team", args=[project.pk]))
    for _ in range(15):
        ProjectMemberFactory(project=project, role=TeamRole.SME)
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("projects:team", args=[project.pk]))
