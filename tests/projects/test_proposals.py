"""Issue 12: a project between two organizations starts as a proposal the other side accepts.

Until then the other side sees only the proposal (its page and the list section); every other
project URL answers 404 for it. Same rule whichever side proposes.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.models import OrgRole
from portal.core.exceptions import NotAllowed, ServiceError
from portal.notifications.models import Notification
from projects import services
from projects.models import Project, ProposalStatus, TeamRole
from projects.selectors import access_for, projects_visible_to, proposals_waiting_for
from tests.factories.organizations import UserFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory

FIELDS = {
    "code": "PROP-555",
    "name": "Proposed Program Sigma",
    "description": "Fill-finish of the sigma program.",
    "modality": "peptide",
    "phase": "phase_2",
    "service_scope": ["fill_finish"],
    "start_date": "2026-11-02",
    "update_cadence_days": 7,
    "question_response_days": 2,
}


def _admin(org, **kwargs):
    return UserFactory(organization=org, org_role=OrgRole.ADMIN, **kwargs)


def _propose(sponsor, cdmo, proposer, capture):
    with capture(execute=True):
        return services.project_create(actor=proposer, sponsor=sponsor, cdmo=cdmo, **FIELDS)


def _accept(project, user):
    return services.proposal_accept(access=access_for(user=user, project=project))


@pytest.fixture
def parties(sponsor, cdmo):
    return {
        "sponsor": _admin(sponsor, full_name="Sam Sponsoradmin"),
        "cdmo": _admin(cdmo, full_name="Cora Cdmoadmin"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("proposing", ["sponsor", "cdmo"])
def test_a_new_project_is_a_proposal_only_the_proposing_side_sees(
    sponsor, cdmo, parties, proposing, django_capture_on_commit_callbacks
):
    other = "cdmo" if proposing == "sponsor" else "sponsor"
    other_org = cdmo if other == "cdmo" else sponsor
    other_exec = UserFactory(organization=other_org, org_role=OrgRole.EXECUTIVE)
    other_member = UserFactory(organization=other_org)
    project = _propose(sponsor, cdmo, parties[proposing], django_capture_on_commit_callbacks)

    assert project.proposal_status == ProposalStatus.PROPOSED
    assert project.proposed_by == parties[proposing]
    assert project.proposed_by_org_id == parties[proposing].organization_id
    assert project.deciding_org == other_org
    assert projects_visible_to(user=parties[proposing]).filter(pk=project.pk).exists()
    for user in (parties[other], other_exec, other_member):
        assert not projects_visible_to(user=user).filter(pk=project.pk).exists()
    assert list(proposals_waiting_for(user=parties[other])) == [project]
    assert list(proposals_waiting_for(user=other_exec)) == [project]
    assert not proposals_waiting_for(user=other_member).exists()
    assert not proposals_waiting_for(user=parties[proposing]).exists()

    # The other side's admins hear about it (not its executives or members, not the proposer).
    told = Notification.objects.filter(kind="project.proposed")
    assert {n.recipient for n in told} == {parties[other]}
    assert told.get().url == reverse("projects:proposal", args=[project.pk])
    assert "PROP-555" in told.get().title


@pytest.mark.django_db
@pytest.mark.parametrize("proposing", ["sponsor", "cdmo"])
def test_the_other_admin_accepts_and_both_sides_see_the_project(
    sponsor, cdmo, parties, proposing, django_capture_on_commit_callbacks
):
    other = "cdmo" if proposing == "sponsor" else "sponsor"
    project = _propose(sponsor, cdmo, parties[proposing], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        project = _accept(project, parties[other])
    assert project.proposal_status == ProposalStatus.ACCEPTED
    assert project.decided_by == parties[other] and project.decided_at is not None
    assert projects_visible_to(user=parties[other]).filter(pk=project.pk).exists()
    assert not proposals_waiting_for(user=parties[other]).exists()
    told = Notification.objects.get(kind="project.proposal_accepted")
    assert told.recipient == parties[proposing]
    assert told.url == project.get_absolute_url()


@pytest.mark.django_db
def test_declining_needs_a_reason_keeps_the_project_and_tells_the_proposer(
    sponsor, cdmo, parties, django_capture_on_commit_callbacks
):
    project = _propose(sponsor, cdmo, parties["sponsor"], django_capture_on_commit_callbacks)
    access = access_for(user=parties["cdmo"], project=project)
    with pytest.raises(ServiceError, match="Say why"):
        services.proposal_decline(access=access, reason="   ")
    with django_capture_on_commit_callbacks(execute=True):
        project = services.proposal_decline(access=access, reason="No fill-finish capacity before Q3.")
    assert project.proposal_status == ProposalStatus.DECLINED
    assert project.decline_reason == "No fill-finish capacity before Q3."
    assert Project.objects.filter(pk=project.pk).exists()  # never deleted
    assert projects_visible_to(user=parties["sponsor"]).filter(pk=project.pk).exists()
    assert not projects_visible_to(user=parties["cdmo"]).filter(pk=project.pk).exists()
    told = Notification.objects.get(kind="project.proposal_declined")
    assert told.recipient == parties["sponsor"]
    assert "No fill-finish capacity" in told.body


@pytest.mark.django_db
def test_only_the_other_sides_admin_decides(sponsor, cdmo, parties, django_capture_on_commit_callbacks):
    project = _propose(sponsor, cdmo, parties["sponsor"], django_capture_on_commit_callbacks)
    wrong = [
        parties["sponsor"],  # the proposer's own side
        _admin(sponsor),
        UserFactory(organization=cdmo, org_role=OrgRole.EXECUTIVE),
        UserFactory(organization=cdmo),
    ]
    for user in wrong:
        with pytest.raises(NotAllowed):
            _accept(project, user)
        with pytest.raises(NotAllowed):
            services.proposal_decline(access=access_for(user=user, project=project), reason="No.")
    project.refresh_from_db()
    assert project.proposal_status == ProposalStatus.PROPOSED


@pytest.mark.django_db
def test_the_cdmo_project_manager_named_on_a_sponsor_proposal_may_accept_it(sponsor, cdmo):
    project = ProjectFactory(sponsor=sponsor, cdmo=cdmo, proposal=True)
    pm = ProjectMemberFactory(project=project, role=TeamRole.PROJECT_MANAGER).user
    assert _accept(project, pm).is_accepted
    # The other way round a sponsor lead may not: only the sponsor's admin accepts.
    cdmo_proposal = ProjectFactory(sponsor=sponsor, cdmo=cdmo, proposal=True, proposed_by_org=cdmo)
    lead = ProjectMemberFactory(project=cdmo_proposal, role=TeamRole.SPONSOR_LEAD).user
    with pytest.raises(NotAllowed):
        _accept(cdmo_proposal, lead)


@pytest.mark.django_db
def test_a_decided_proposal_cannot_be_decided_again(
    sponsor, cdmo, parties, django_capture_on_commit_callbacks
):
    project = _propose(sponsor, cdmo, parties["sponsor"], django_capture_on_commit_callbacks)
    _accept(project, parties["cdmo"])
    with pytest.raises(ServiceError, match="already accepted by Cora Cdmoadmin on"):
        _accept(project, parties["cdmo"])
    with pytest.raises(ServiceError, match="already accepted"):
        services.proposal_decline(access=access_for(user=parties["cdmo"], project=project), reason="Oops")
    declined = ProjectFactory(sponsor=sponsor, cdmo=cdmo, proposal=True)
    services.proposal_decline(access=access_for(user=parties["cdmo"], project=declined), reason="Not now")
    with pytest.raises(ServiceError, match="already declined"):
        _accept(declined, parties["cdmo"])


@pytest.mark.django_db
def test_only_the_proposing_side_can_be_staffed_before_acceptance(sponsor, cdmo, client):
    project = ProjectFactory(sponsor=sponsor, cdmo=cdmo, proposal=True, proposed_by_org=cdmo)
    admin = project.proposed_by
    sponsor_user = UserFactory(organization=sponsor)
    with pytest.raises(NotAllowed):
        services.team_member_add(
            access=access_for(user=admin, project=project),
            user=sponsor_user,
            role=TeamRole.SPONSOR_LEAD,
        )
    client.force_login(admin)
    body = client.get(reverse("projects:team", args=[project.pk])).content.decode()
    assert sponsor_user.email not in body and sponsor_user.full_name not in body
    assert "Awaiting Acme Bio" in body


@pytest.mark.django_db
def test_rows_written_without_the_service_are_accepted(sponsor, cdmo, parties):
    """Older projects (the migration) and the demo's fixtures are agreed projects."""
    project = Project.objects.create(
        sponsor=sponsor,
        cdmo=cdmo,
        code="OLD-1",
        name="Old",
        modality="peptide",
        phase="phase_1",
        start_date="2025-01-01",
    )
    assert project.is_accepted
    for user in parties.values():
        assert projects_visible_to(user=user).filter(pk=project.pk).exists()
