"""Issue 12, over HTTP: the proposal page, accepting and declining, the list section, and the
other side's 404 on every other project URL until it accepts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.rules.base import active_projects
from oversight.monitoring.services import sweep
from portal.accounts.models import OrgRole
from projects import services
from projects.models import ProjectMember, ProposalStatus, TeamRole
from projects.selectors import access_for
from tests.factories.integration import api_token
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.organizations import UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project
from tests.http import text as response_text
from tests.test_outsider_walk import API_NAMESPACE, _kwargs_for, our_routes
from tests.world import populate_everything

PROPOSAL_ROUTES = {"projects:proposal", "projects:proposal_accept", "projects:proposal_decline"}
CODE, NAME = "PROP-555", "Proposed Program Sigma"


@pytest.fixture
def proposal(sponsor, cdmo):
    """Proposed by the sponsor's admin to the CDMO, with a full team and one of everything."""
    project = ProjectFactory(
        sponsor=sponsor, cdmo=cdmo, code=CODE, name=NAME, description="Sigma fill-finish.", proposal=True
    )
    project.proposed_by.full_name = "Sam Sponsoradmin"
    project.proposed_by.save()
    return project


@pytest.fixture
def cdmo_boss(cdmo):
    return UserFactory(organization=cdmo, org_role=OrgRole.ADMIN, full_name="Cora Cdmoadmin")


@pytest.mark.django_db
def test_the_other_side_sees_the_proposal_page_and_nothing_else(client, proposal, cdmo_boss):
    populate_everything(proposal)
    cdmo_member = ProjectMember.objects.filter(project=proposal, role=TeamRole.SME).first().user
    for user in (cdmo_boss, cdmo_member):
        client.force_login(user)
        checked = 0
        for route, kwarg_names in our_routes():
            url = reverse(route, kwargs=_kwargs_for(route, kwarg_names, proposal))
            if route in PROPOSAL_ROUTES or route.startswith(API_NAMESPACE):
                continue  # the read API takes tokens, not sessions: walked below
            for method in (client.get, client.post):
                response = method(url)
                body = response_text(response)
                if "project_id" in kwarg_names:
                    assert response.status_code in {404, 405}, f"{user}: {route} gave {response.status_code}"
                    checked += 1
                elif route != "projects:list" and response.status_code == 200:
                    # Cross-project pages (meetings, issues, dashboard, decisions, exports…) omit it.
                    assert CODE not in body and NAME not in body, f"{user} saw the proposal at {route}"
        assert checked > 40
        response = client.get(reverse("projects:proposal", args=[proposal.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        for text in (CODE, NAME, "Acme Bio", "Northbridge CDMO", "Sam Sponsoradmin", "Sigma fill-finish."):
            assert text in body
    _, secret = api_token(proposal.cdmo, admin=cdmo_boss)
    api_objects = 0
    for route, kwarg_names in our_routes():
        if route.startswith(API_NAMESPACE) and kwarg_names:
            url = reverse(route, kwargs=_kwargs_for(route, kwarg_names, proposal))
            response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code == 404, f"the CDMO's token: {route} gave {response.status_code}"
            api_objects += 1
    assert api_objects >= 5


@pytest.mark.django_db
def test_the_other_side_accepts_and_then_sees_everything(client, proposal, cdmo_boss):
    client.force_login(cdmo_boss)
    page = client.get(reverse("projects:proposal", args=[proposal.pk])).content.decode()
    assert "Accept proposal" in page and "Decline proposal" in page
    # A GET never decides.
    assert client.get(reverse("projects:proposal_accept", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.is_proposed
    response = client.post(reverse("projects:proposal_accept", args=[proposal.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:team", args=[proposal.pk]
    )
    for name in ("projects:detail", "projects:milestones", "projects:updates", "projects:team"):
        assert client.get(reverse(name, args=[proposal.pk])).status_code == 200
    # The proposal page now leads to the project; a second accept is harmless.
    response = client.get(reverse("projects:proposal", args=[proposal.pk]))
    assert response["Location"] == proposal.get_absolute_url()
    assert client.post(reverse("projects:proposal_accept", args=[proposal.pk])).status_code == 302


@pytest.mark.django_db
def test_people_who_may_read_but_not_decide_get_403(client, proposal, cdmo_boss):
    cdmo_exec = UserFactory(organization=proposal.cdmo, org_role=OrgRole.EXECUTIVE)
    for user in (proposal.proposed_by, cdmo_exec):
        client.force_login(user)
        page = client.get(reverse("projects:proposal", args=[proposal.pk])).content.decode()
        assert "Accept proposal" not in page
        assert client.post(reverse("projects:proposal_accept", args=[proposal.pk])).status_code == 403
        assert (
            client.post(reverse("projects:proposal_decline", args=[proposal.pk]), {"reason": "x"}).status_code
            == 403
        )
    proposal.refresh_from_db()
    assert proposal.is_proposed


@pytest.mark.django_db
def test_outsiders_and_off_team_members_get_404_on_the_proposal(client, proposal, outsider, cdmo_boss):
    cdmo_member = UserFactory(organization=proposal.cdmo)  # not on the team, not org-wide
    for user in (outsider, cdmo_member):
        client.force_login(user)
        for name in PROPOSAL_ROUTES:
            assert client.get(reverse(name, args=[proposal.pk])).status_code == 404
            assert client.post(reverse(name, args=[proposal.pk])).status_code == 404
    client.force_login(outsider)
    assert CODE not in client.get(reverse("projects:list")).content.decode()


@pytest.mark.django_db
def test_declining_without_a_reason_keeps_the_form_and_with_one_tells_the_proposer(
    client, proposal, cdmo_boss
):
    client.force_login(cdmo_boss)
    url = reverse("projects:proposal_decline", args=[proposal.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Say why you decline" in response.content.decode()
    response = client.post(url, {"reason": "x" * 2001})
    assert response.status_code == 200 and "x" * 2001 in response.content.decode()
    response = client.post(url, {"reason": "No capacity before Q3 & <b>sorry</b>."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.proposal_status == ProposalStatus.DECLINED
    # Still nothing of the project for the CDMO.
    assert client.get(proposal.get_absolute_url()).status_code == 404
    # The proposer sees "declined" with the reason, on the proposal and on the project.
    client.force_login(proposal.proposed_by)
    for url in (proposal.get_proposal_url(), proposal.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "declined" in body.lower() and "No capacity before Q3 &amp; &lt;b&gt;sorry&lt;/b&gt;." in body


@pytest.mark.django_db
def test_the_list_shows_proposals_waiting_for_you(client, proposal, cdmo_boss, project):
    client.force_login(cdmo_boss)
    body = client.get(reverse("projects:list")).content.decode()
    assert "Proposals waiting for you" in body
    assert reverse("projects:proposal", args=[proposal.pk]) in body
    assert f'href="{proposal.get_absolute_url()}"' not in body  # not a project row yet
    assert project.get_absolute_url() in body
    # The proposer's list has it as a project, marked as waiting for the CDMO.
    client.force_login(proposal.proposed_by)
    body = client.get(reverse("projects:list")).content.decode()
    assert "Proposals waiting for you" not in body
    assert proposal.get_absolute_url() in body and "Awaiting Northbridge CDMO's acceptance" in body
    # Once accepted, the section is gone for the CDMO and the row is there.
    services.proposal_accept(access=access_for(user=cdmo_boss, project=proposal))
    client.force_login(cdmo_boss)
    body = client.get(reverse("projects:list")).content.decode()
    assert "Proposals waiting for you" not in body and proposal.get_absolute_url() in body


@pytest.mark.django_db
def test_the_proposer_works_on_it_with_a_banner(client, proposal):
    ProjectMemberFactory(project=proposal, role=TeamRole.SPONSOR_LEAD)
    client.force_login(proposal.proposed_by)
    body = client.get(proposal.get_absolute_url()).content.decode()
    assert "Awaiting Northbridge CDMO's acceptance" in body
    assert reverse("projects:proposal", args=[proposal.pk]) in body


@pytest.mark.django_db
def test_the_rules_never_flag_a_proposal(proposal, project):
    """What the proposing side already records on a proposal (here an overdue action) raises no
    flag until the other side accepts: every rule's query passes Rule.scoped."""
    for each in (proposal, project):
        staff_project(each)
        ActionItemFactory(
            meeting=MeetingFactory(project=each), due_date=timezone.localdate() - timedelta(days=20)
        )
    sweep()
    assert not Flag.objects.filter(project=proposal).exists()
    assert Flag.objects.filter(project=project, kind=FlagKind.ACTION_ITEM_OVERDUE).exists()


def test_the_dashboard_and_the_monitoring_ignore_proposals(client, proposal, project):
    assert list(active_projects()) == [project]
    sponsor_exec = UserFactory(organization=proposal.sponsor, org_role=OrgRole.EXECUTIVE)
    client.force_login(sponsor_exec)
    body = client.get(reverse("monitoring:dashboard")).content.decode()
    assert project.code in body and CODE not in body
