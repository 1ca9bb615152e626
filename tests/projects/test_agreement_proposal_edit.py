"""Editing the working agreement terms a proposed change request carries: the side that proposed
them edits them while the change is proposed; a new proposed version replaces the one before,
the change goes to its next revision and version, so a decision dialog opened on the old terms
is refused; approving then puts the edited terms in force, signed as shown."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from portal.core.exceptions import NotAllowed, ServiceError
from portal.notifications.models import Notification
from portal.signatures.models import Signature, SigningAttempt
from projects import services
from projects.models import AgreementStatus, ChangeRequest, Project, WorkingAgreement
from projects.selectors import agreement_in_force
from projects.selectors.changes import get_change

from .test_working_agreement import NOW, TODAY, _form_data, _in_force, _terms
from .update_helpers import access, signed_step


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def proposal(project, sponsor_lead, cdmo_pm):
    """v1 in force; the CDMO's project manager proposes fortnightly governance (v2)."""
    _in_force(project, sponsor_lead, cdmo_pm)
    return services.agreement_propose_change(
        access=access(cdmo_pm, project),
        terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=2),
        why="More frequent governance.",
        needed_by=TODAY + datetime.timedelta(days=10),
    )


def _url(project):
    return reverse("projects:agreement_proposal_edit", args=[project.pk])


def _data(change, sponsor_lead, cdmo_pm, **overrides):
    values = {
        "governance_every_weeks": "2",
        "why": change.why,
        "needed_by": change.needed_by.isoformat(),
        "version": str(change.version),
    }
    values.update(overrides)
    return _form_data(sponsor_lead, cdmo_pm, **values)


def _approve(change):
    change = get_change(project=change.project, change_id=change.pk)
    return signed_step(
        "approve",
        change,
        "projects.change_approve",
        meaning="approved",
        option=str(change.recommended_option_id),
        version=str(change.version),
    )


def test_the_proposer_edits_the_terms_and_approving_puts_the_edited_terms_in_force(
    client, project, proposal, sponsor_lead, cdmo_pm, decision_maker, django_capture_on_commit_callbacks
):
    change = proposal
    first = WorkingAgreement.objects.get(change_request=change)
    client.force_login(cdmo_pm)
    # The propose page leads to the open proposal's terms; the change and Agreement pages link there.
    assert client.get(reverse("projects:agreement_propose", args=[project.pk]))["Location"] == _url(project)
    assert _url(project) in client.get(change.get_absolute_url()).content.decode()
    assert _url(project) in client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    form = client.get(_url(project)).content.decode()
    assert f"Edit the proposed working agreement v{first.number}" in form
    assert 'name="governance_every_weeks" value="2"' in form and "More frequent governance." in form
    assert f'name="version" value="{change.version}"' in form

    data = _data(change, sponsor_lead, cdmo_pm, update_cadence_days="7", governance_every_weeks="3")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(project), data)
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    first.refresh_from_db()
    assert first.status == AgreementStatus.REPLACED and first.change_request is None
    assert first.governance_every_weeks == 2  # its terms stay as they were
    edited = WorkingAgreement.objects.get(change_request=change)
    assert edited.status == AgreementStatus.PROPOSED and edited.number == first.number + 1
    assert (edited.update_cadence_days, edited.governance_every_weeks) == (7, 3)
    change.refresh_from_db()
    assert (change.revision, change.version, change.is_open) == (2, 2, True)
    assert "status update every" in change.what and "governance meeting every" in change.what
    assert [o.label for o in change.current_options] == ["Adopt the proposed agreement"]
    assert change.recommended_option.revision == 2
    told = Notification.objects.filter(kind="change.edited")
    assert sponsor_lead in {n.recipient for n in told} and cdmo_pm not in {n.recipient for n in told}
    assert all("Changed: agreement terms." in n.body for n in told)
    # Its history keeps which change proposed the replaced version.
    events = WorkingAgreement.pgh_event_model.objects.filter(pgh_obj_id=first.pk).order_by("pgh_id")
    assert [e.change_request_id for e in events][0] == change.pk
    # The Agreement tab keeps the replaced terms in view, as written.
    tab = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "Versions that never came into force" in tab
    assert f"v{first.number}: drafted by {first.drafted_by.full_name}" in tab

    client.force_login(decision_maker)
    page = client.get(change.get_absolute_url()).content.decode()
    assert f"Proposed working agreement v{edited.number}" in page and "Earlier revisions" in page
    assert client.post(change.get_absolute_url(), _approve(change)).status_code == 302
    edited.refresh_from_db()
    assert edited.status == AgreementStatus.IN_FORCE and agreement_in_force(project=project) == edited
    assert Project.objects.get(pk=project.pk).update_cadence_days == 7
    signed = Signature.objects.get(action="projects.change_approve")
    assert signed.content["working_agreement"]["version"] == edited.number
    assert signed.content["working_agreement"]["terms"]["governance_every_weeks"] == 3
    assert signed.content["revision"] == 2


def test_a_decision_dialog_opened_on_the_old_terms_is_refused(
    client, project, proposal, sponsor_lead, cdmo_pm, decision_maker
):
    opened = _approve(proposal)
    services.agreement_proposal_edit(
        access=access(cdmo_pm, project),
        change=proposal,
        version=proposal.version,
        terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=6),
        why="Every six weeks is enough after all.",
        needed_by=proposal.needed_by,
    )
    client.force_login(decision_maker)
    response = client.post(proposal.get_absolute_url(), opened)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This change request was edited since you opened it; review the new version" in body
    assert "Every six weeks is enough after all." in body
    assert not Signature.objects.exists() and not SigningAttempt.objects.exists()
    assert ChangeRequest.objects.get(pk=proposal.pk).is_open
    assert WorkingAgreement.objects.get(change_request=proposal).status == AgreementStatus.PROPOSED
    # The service refuses it too (a decision racing the edit).
    with pytest.raises(ServiceError, match="edited since you opened it"):
        services.change_approve(
            access=access(decision_maker, project),
            change=proposal,
            option=proposal.recommended_option,
            version=proposal.version,
        )


def test_the_other_side_may_not_edit_the_terms(client, project, proposal, sponsor_lead, cdmo_pm):
    client.force_login(sponsor_lead)
    assert client.get(_url(project)).status_code == 403
    data = _data(proposal, sponsor_lead, cdmo_pm, governance_every_weeks="8")
    assert client.post(_url(project), data).status_code == 403
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert _url(project) not in page
    with pytest.raises(NotAllowed, match="Only whoever raised the change"):
        services.agreement_proposal_edit(
            access=access(sponsor_lead, project),
            change=proposal,
            version=proposal.version,
            terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=8),
            why="Sponsor's view.",
            needed_by=proposal.needed_by,
        )
    assert WorkingAgreement.objects.get(change_request=proposal).governance_every_weeks == 2
    assert ChangeRequest.objects.get(pk=proposal.pk).version == proposal.version


def test_an_outsider_gets_404(client, project, proposal, outsider, sponsor_lead, cdmo_pm):
    client.force_login(outsider)
    assert client.get(_url(project)).status_code == 404
    assert client.post(_url(project), _data(proposal, sponsor_lead, cdmo_pm)).status_code == 404


def test_bad_input_comes_back_with_everything_typed(client, project, proposal, sponsor_lead, cdmo_pm):
    client.force_login(cdmo_pm)
    data = _data(
        proposal,
        sponsor_lead,
        cdmo_pm,
        update_cadence_days="0",
        governance_forum="Weekly call, Tuesdays",
        why="Typed reason that must survive.",
    )
    response = client.post(_url(project), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="update_cadence_days" value="0"' in body and 'aria-invalid="true"' in body
    assert "Weekly call, Tuesdays" in body and "Typed reason that must survive." in body
    assert WorkingAgreement.objects.get(change_request=proposal).number == 2
    assert ChangeRequest.objects.get(pk=proposal.pk).version == proposal.version


def test_a_second_editor_gets_their_form_back_with_a_clear_error(
    client, project, proposal, sponsor_lead, cdmo_pm
):
    client.force_login(cdmo_pm)
    first = _data(proposal, sponsor_lead, cdmo_pm, governance_every_weeks="3")
    second = _data(proposal, sponsor_lead, cdmo_pm, governance_every_weeks="5", why="My own reasoning.")
    assert client.post(_url(project), first).status_code == 302
    response = client.post(_url(project), second)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else edited this change request while you were editing it" in body
    assert 'name="governance_every_weeks" value="5"' in body and "My own reasoning." in body
    assert WorkingAgreement.objects.get(change_request=proposal).governance_every_weeks == 3


def test_saving_nothing_new_or_the_terms_in_force_is_refused(
    client, project, proposal, sponsor_lead, cdmo_pm
):
    client.force_login(cdmo_pm)
    body = client.post(_url(project), _data(proposal, sponsor_lead, cdmo_pm)).content.decode()
    assert "Nothing was changed" in body
    body = client.post(
        _url(project), _data(proposal, sponsor_lead, cdmo_pm, governance_every_weeks="4")
    ).content.decode()
    assert "These are the terms in force" in body
    assert ChangeRequest.objects.get(pk=proposal.pk).version == proposal.version


def test_only_why_and_needed_by_changed_keeps_the_proposed_version(
    client, project, proposal, sponsor_lead, cdmo_pm
):
    client.force_login(cdmo_pm)
    later = (TODAY + datetime.timedelta(days=20)).isoformat()
    data = _data(proposal, sponsor_lead, cdmo_pm, why="Clearer reason.", needed_by=later)
    assert client.post(_url(project), data).status_code == 302
    agreement = WorkingAgreement.objects.get(change_request=proposal)
    assert agreement.number == 2 and agreement.status == AgreementStatus.PROPOSED
    change = ChangeRequest.objects.get(pk=proposal.pk)
    assert change.why == change.recommendation == "Clearer reason." and change.version == 2
    assert change.needed_by.isoformat() == later
