"""No one-click lock-out: removing yourself, the only decision-maker or a point of contact is
confirmed on a page that says what follows; the last person able to manage a side stays."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portal.core.exceptions import ConfirmationRequired, ServiceError
from projects import services
from projects.models import ProjectMember, TeamRole
from projects.selectors import access_for
from tests.browser import sign_in
from tests.factories.organizations import UserFactory
from tests.factories.projects import ProjectMemberFactory


def _remove_url(project, member):
    return reverse("projects:member_remove", args=[project.pk, member.pk])


def _member(user):
    return ProjectMember.objects.get(user=user, removed_at__isnull=True)


@pytest.fixture
def second_lead(project):
    return ProjectMemberFactory(
        project=project, role=TeamRole.SPONSOR_LEAD, user=UserFactory(organization=project.sponsor)
    ).user


@pytest.mark.django_db
def test_removing_yourself_asks_for_confirmation_and_says_you_lose_the_project(
    client, project, sponsor_lead, second_lead
):
    client.force_login(sponsor_lead)
    mine = _member(sponsor_lead)
    response = client.post(_remove_url(project, mine))
    page = response.content.decode()
    assert response.status_code == 200
    assert "you will no longer see this project" in page and "Yes, remove" in page
    mine.refresh_from_db()
    assert mine.removed_at is None, "one unconfirmed click took her off the team"

    response = client.post(_remove_url(project, mine), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("projects:list")
    mine.refresh_from_db()
    assert mine.removed_at is not None


@pytest.mark.django_db
def test_the_confirmation_page_works_without_javascript(client, project, sponsor_lead, second_lead):
    client.force_login(sponsor_lead)
    page = client.get(_remove_url(project, _member(sponsor_lead))).content.decode()
    assert "<html" in page and 'name="confirm" value="1"' in page and "point of contact" in page


@pytest.mark.django_db
def test_the_last_project_lead_cannot_be_removed(client, project, sponsor_lead, cdmo_pm):
    client.force_login(sponsor_lead)
    for data in ({}, {"confirm": "1"}):
        response = client.post(_remove_url(project, _member(sponsor_lead)), data)
        assert "is the last person on the sponsor team who can manage it" in response.content.decode()
    client.force_login(cdmo_pm)  # the CDMO manager cannot strip the sponsor of its last lead either
    client.post(_remove_url(project, _member(sponsor_lead)), {"confirm": "1"})
    assert _member(sponsor_lead).removed_at is None
    with pytest.raises(ServiceError, match="last person"):
        services.team_member_remove(
            access=access_for(user=cdmo_pm, project=project), member=_member(sponsor_lead), confirmed=True
        )


@pytest.mark.django_db
def test_the_last_project_manager_cannot_be_removed_or_demoted(project, cdmo_pm, cdmo_sme):
    access = access_for(user=cdmo_pm, project=project)
    with pytest.raises(ServiceError, match="Make someone else project manager first"):
        services.team_member_remove(access=access, member=_member(cdmo_pm), confirmed=True)
    with pytest.raises(ServiceError, match="last person"):
        services.team_member_change(
            access=access, member=_member(cdmo_pm), role=TeamRole.SME, is_point_of_contact=True
        )
    assert _member(cdmo_pm).role == TeamRole.PROJECT_MANAGER


@pytest.mark.django_db
def test_removing_the_only_decision_maker_asks_for_confirmation(client, project, cdmo_pm, decision_maker):
    client.force_login(cdmo_pm)
    dm = _member(decision_maker)
    page = client.post(_remove_url(project, dm)).content.decode()
    assert "is the only decision-maker" in page
    dm.refresh_from_db()
    assert dm.removed_at is None
    assert client.post(_remove_url(project, dm), {"confirm": "1"}).status_code == 302
    dm.refresh_from_db()
    assert dm.removed_at is not None


@pytest.mark.django_db
def test_removing_a_point_of_contact_asks_for_confirmation(
    client, project, cdmo_pm, sponsor_lead, second_lead
):
    client.force_login(cdmo_pm)
    page = client.post(_remove_url(project, _member(sponsor_lead))).content.decode()
    assert "is the sponsor point of contact" in page
    assert _member(sponsor_lead).is_point_of_contact


@pytest.mark.django_db
def test_the_service_refuses_an_unconfirmed_removal_with_what_follows(project, cdmo_pm, decision_maker):
    access = access_for(user=cdmo_pm, project=project)
    with pytest.raises(ConfirmationRequired) as pending:
        services.team_member_remove(access=access, member=_member(decision_maker))
    assert any("only decision-maker" in c for c in pending.value.consequences)
    removed = services.team_member_remove(access=access, member=_member(decision_maker), confirmed=True)
    assert removed.removed_at is not None


@pytest.mark.django_db
def test_an_ordinary_removal_still_takes_one_click(client, project, cdmo_pm, cdmo_sme):
    client.force_login(cdmo_pm)
    sme = _member(cdmo_sme)
    response = client.post(_remove_url(project, sme))
    assert response.status_code == 302 and response["Location"] == reverse("projects:team", args=[project.pk])
    sme.refresh_from_db()
    assert sme.removed_at is not None


@pytest.mark.django_db
def test_with_htmx_the_confirmation_swaps_into_the_row_and_confirming_reloads_the_team(
    client, project, cdmo_pm, decision_maker
):
    client.force_login(cdmo_pm)
    dm = _member(decision_maker)
    team = client.get(reverse("projects:team", args=[project.pk])).content.decode()
    assert f'hx-target="#member-{dm.pk}"' in team
    response = client.post(_remove_url(project, dm), HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "<html" not in fragment and "only decision-maker" in fragment and "hx-post" in fragment
    response = client.post(_remove_url(project, dm), {"confirm": "1"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("projects:team", args=[project.pk])
    dm.refresh_from_db()
    assert dm.removed_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_removing_the_decision_maker_is_confirmed_in_place(
    browser, live_server, project, sponsor_lead, decision_maker, cdmo_pm
):
    pm = sign_in(browser, live_server, cdmo_pm)
    pm.goto(f"{live_server.url}/projects/{project.pk}/team/")
    dm = _member(decision_maker)
    row = pm.locator(f"#member-{dm.pk}")
    row.get_by_role("button", name="Remove").click()
    expect(row).to_contain_text("is the only decision-maker")  # swapped in by htmx, same page
    assert pm.url.endswith(f"/projects/{project.pk}/team/")
    dm.refresh_from_db()
    assert dm.removed_at is None
    row.get_by_role("button", name=f"Yes, remove {decision_maker.full_name}").click()
    expect(pm.locator(".messages")).to_contain_text("was removed from the team")
    expect(pm.locator(f"#member-{dm.pk}")).to_have_count(0)
