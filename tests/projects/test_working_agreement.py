"""The working agreement: drafted, signed by both sides' leads (meaning Agreed), in force with the
second signature, which writes the live settings the rules read; then changed only through a
change request, whose signed approval supersedes the version in force."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.urls import reverse

from issues import services as issue_services
from issues.models import ResponseTimeAgreement
from portal.core.exceptions import ServiceError
from portal.notifications.models import Notification
from portal.signatures.models import Signature
from portal.signatures.registry import signed_action
from projects import services
from projects.models import AgreementStatus, ChangeStatus, Project, WorkingAgreement
from projects.selectors import agreement_in_force
from tests.factories.organizations import DEFAULT_PASSWORD

from .update_helpers import access

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _terms(sponsor, cdmo, **overrides):
    values = {
        "update_cadence_days": 14,
        "question_response_days": 3,
        "response_hours": {"critical": [2, 6], "major": [8, 16], "minor": [24, 40]},
        "governance_every_weeks": 4,
        "governance_forum": "Joint steering committee",
        "sponsor_escalation": sponsor,
        "cdmo_escalation": cdmo,
        "escalation_steps": "Call the other side's contact within one business day.",
    }
    values.update(overrides)
    return services.AgreementTerms(**values)


def _form_data(sponsor, cdmo, **overrides):
    data = {
        "update_cadence_days": "14",
        "question_response_days": "3",
        "governance_every_weeks": "4",
        "governance_forum": "Joint steering committee",
        "sponsor_escalation": str(sponsor.pk),
        "cdmo_escalation": str(cdmo.pk),
        "escalation_steps": "Call the other side's contact within one business day.",
        "critical_acknowledge": "2",
        "critical_plan": "6",
        "major_acknowledge": "8",
        "major_plan": "16",
        "minor_acknowledge": "24",
        "minor_plan": "40",
    }
    data.update(overrides)
    return data


def _sign_data(agreement, password=DEFAULT_PASSWORD):
    return {
        "sign-meaning": "agreed",
        "sign-shown": signed_action("projects.agreement_sign").digest(agreement),
        "sign-password": password,
    }


def _in_force(project, sponsor_lead, cdmo_pm, **overrides):
    """A version drafted and signed by both leads, through the services."""
    draft = services.agreement_draft(
        access=access(cdmo_pm, project), terms=_terms(sponsor_lead, cdmo_pm, **overrides)
    )
    services.agreement_sign(access=access(sponsor_lead, project), agreement=draft)
    return services.agreement_sign(access=access(cdmo_pm, project), agreement=draft)


def test_both_leads_sign_and_the_second_signature_puts_it_in_force(
    client, project, sponsor_lead, cdmo_pm, django_capture_on_commit_callbacks
):
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:agreement_draft", args=[project.pk]), _form_data(sponsor_lead, cdmo_pm)
    )
    assert response.status_code == 302
    draft = WorkingAgreement.objects.get()
    assert draft.status == AgreementStatus.DRAFT and draft.number == 1 and draft.drafted_by == cdmo_pm

    client.force_login(sponsor_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:agreement", args=[project.pk]), _sign_data(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT and draft.sponsor_signed_by == sponsor_lead
    told = Notification.objects.get(kind="agreement.signed")
    assert told.recipient == cdmo_pm and "Emily Carter signed working agreement v1" in told.title
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "Still to sign" in page and "Lena Hoffmann" in page and "meaning Agreed" in page

    client.force_login(cdmo_pm)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:agreement", args=[project.pk]), _sign_data(draft))
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.IN_FORCE and draft.effective_from == NOW
    assert Signature.objects.filter(action="projects.agreement_sign", meaning="agreed").count() == 2
    # The live settings the existing rules read, written in the same transaction.
    project.refresh_from_db()
    assert (project.update_cadence_days, project.question_response_days) == (14, 3)
    rows = {
        r.severity: (r.acknowledge_within_hours, r.plan_within_hours)
        for r in ResponseTimeAgreement.objects.filter(project=project)
    }
    assert rows == {"critical": (2, 6), "major": (8, 16), "minor": (24, 40)}
    assert Notification.objects.filter(kind="agreement.in_force", recipient=sponsor_lead).exists()
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "In force since 3 Dec 2026" in page
    history = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert "Working agreement v1 drafted" in history and "Working agreement v1 in force" in history
    assert (
        page.count("meaning Agreed") == 2
        and "Signed by Emily Carter" in page
        and "Signed by Lena Hoffmann" in page
    )


def test_a_wrong_password_signs_nothing_and_changes_nothing(client, project, sponsor_lead, cdmo_pm):
    draft = services.agreement_draft(access=access(cdmo_pm, project), terms=_terms(sponsor_lead, cdmo_pm))
    client.force_login(sponsor_lead)
    response = client.post(
        reverse("projects:agreement", args=[project.pk]),
        _sign_data(draft, password="not-it"),
        data_comment="",
    )
    assert response.status_code == 200 and "That is not your password" in response.content.decode()
    draft.refresh_from_db()
    assert draft.sponsor_signed_by is None and not Signature.objects.exists()


def test_one_side_alone_does_not_put_it_in_force_nor_signs_twice(project, sponsor_lead, cdmo_pm):
    draft = services.agreement_draft(
        access=access(sponsor_lead, project), terms=_terms(sponsor_lead, cdmo_pm)
    )
    services.agreement_sign(access=access(sponsor_lead, project), agreement=draft)
    with pytest.raises(ServiceError, match="already signed for your side"):
        services.agreement_sign(access=access(sponsor_lead, project), agreement=draft)
    assert agreement_in_force(project=project) is None
    project.refresh_from_db()
    assert project.update_cadence_days == 7  # untouched until both have signed


def test_only_the_leads_sign(client, project, sponsor_lead, cdmo_pm, decision_maker):
    draft = services.agreement_draft(access=access(cdmo_pm, project), terms=_terms(sponsor_lead, cdmo_pm))
    client.force_login(decision_maker)
    assert client.post(reverse("projects:agreement", args=[project.pk]), _sign_data(draft)).status_code == 403
    assert (
        "Sign the agreement"
        not in client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    )


def test_escalation_contacts_must_be_on_the_right_side(project, sponsor_lead, cdmo_pm):
    with pytest.raises(ServiceError, match="sponsor's team"):
        services.agreement_draft(access=access(cdmo_pm, project), terms=_terms(cdmo_pm, cdmo_pm))


def test_a_form_with_errors_keeps_what_was_typed(client, project, sponsor_lead, cdmo_pm):
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:agreement_draft", args=[project.pk]),
        _form_data(sponsor_lead, cdmo_pm, critical_plan="1", governance_forum="Monthly JSC"),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "cannot be due before the acknowledgement" in page
    assert 'value="Monthly JSC"' in page and not WorkingAgreement.objects.exists()


def test_before_any_agreement_direct_edits_still_work(project, sponsor_lead, cdmo_pm):
    services.project_update(access=access(cdmo_pm, project), version=project.version, update_cadence_days=10)
    issue_services.agreement_set(
        access=access(cdmo_pm, project), severity="critical", acknowledge_within_hours=3, plan_within_hours=9
    )
    project.refresh_from_db()
    assert project.update_cadence_days == 10


def test_once_in_force_the_terms_are_not_edited_directly(client, project, sponsor_lead, cdmo_pm):
    _in_force(project, sponsor_lead, cdmo_pm)
    project.refresh_from_db()
    with pytest.raises(ServiceError, match="working agreement"):
        services.project_update(
            access=access(cdmo_pm, project), version=project.version, update_cadence_days=30
        )
    with pytest.raises(ServiceError, match="working agreement"):
        issue_services.agreement_set(
            access=access(cdmo_pm, project),
            severity="critical",
            acknowledge_within_hours=3,
            plan_within_hours=9,
        )
    # The edit form shows the terms without changing them, and says why, with the way to change them.
    client.force_login(cdmo_pm)
    edit = reverse("projects:edit", args=[project.pk])
    page = client.get(edit).content.decode()
    assert "propose a change to the agreement" in page
    data = {
        "code": project.code,
        "name": "Renamed",
        "modality": project.modality,
        "phase": project.phase,
        "status": project.status,
        "start_date": project.start_date.isoformat(),
        "update_cadence_days": "30",
        "question_response_days": "9",
        "version": str(project.version),
    }
    assert client.post(edit, data).status_code == 302
    project.refresh_from_db()
    assert project.name == "Renamed" and (project.update_cadence_days, project.question_response_days) == (
        14,
        3,
    )
    times = reverse("issues:agreements", args=[project.pk])
    assert "propose a change to the agreement" in client.get(times).content.decode()
    client.post(times, {"critical_acknowledge": "1", "critical_plan": "2"})
    assert (
        ResponseTimeAgreement.objects.get(project=project, severity="critical").acknowledge_within_hours == 2
    )


def test_the_terms_are_frozen_and_never_deleted(project, sponsor_lead, cdmo_pm):
    agreement = _in_force(project, sponsor_lead, cdmo_pm)
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkingAgreement.objects.filter(pk=agreement.pk).update(update_cadence_days=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkingAgreement.objects.filter(pk=agreement.pk).delete()


def test_an_approved_change_request_supersedes_and_in_force_at_travels(
    client, project, sponsor_lead, cdmo_pm, decision_maker, frozen
):
    first = _in_force(project, sponsor_lead, cdmo_pm)
    frozen.move_to(NOW + datetime.timedelta(days=30))
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:agreement_propose", args=[project.pk]),
        _form_data(
            sponsor_lead,
            cdmo_pm,
            update_cadence_days="7",
            why="Weekly updates during the GMP campaign.",
            needed_by=(TODAY + datetime.timedelta(days=40)).isoformat(),
        ),
    )
    assert response.status_code == 302
    proposed = WorkingAgreement.objects.get(status=AgreementStatus.PROPOSED)
    change = proposed.change_request
    assert "status update every" in change.what
    option = change.options.get()
    frozen.move_to(NOW + datetime.timedelta(days=32))
    client.force_login(decision_maker)
    page = client.get(change.get_absolute_url()).content.decode()
    assert "Proposed working agreement v2" in page
    response = client.post(
        change.get_absolute_url(),
        {
            "step": "approve",
            "approve-option": str(option.pk),
            "approve-version": str(change.version),
            "sign-approve-meaning": "approved",
            "sign-approve-shown": signed_action("projects.change_approve").digest(change),
            "sign-approve-password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302
    change.refresh_from_db()
    first.refresh_from_db()
    proposed.refresh_from_db()
    approved_at = NOW + datetime.timedelta(days=32)
    assert change.status == ChangeStatus.APPROVED
    assert first.status == AgreementStatus.SUPERSEDED and first.superseded_at == approved_at
    assert proposed.status == AgreementStatus.IN_FORCE and proposed.effective_from == approved_at
    # The signature of the approval covers the proposed terms.
    signed = Signature.objects.get(action="projects.change_approve")
    assert signed.content["working_agreement"]["terms"]["update_cadence_days"] == 7
    assert Project.objects.get(pk=project.pk).update_cadence_days == 7
    # The agreement in force at any moment: none before, v1 then, v2 since.
    assert agreement_in_force(project=project, at=NOW - datetime.timedelta(seconds=1)) is None
    assert agreement_in_force(project=project, at=NOW) == first
    assert agreement_in_force(project=project, at=approved_at - datetime.timedelta(seconds=1)) == first
    assert agreement_in_force(project=project, at=approved_at) == proposed
    assert agreement_in_force(project=project) == proposed
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "Working agreement v2" in page and "Earlier versions" in page


def test_a_rejected_change_leaves_the_agreement_in_force(project, sponsor_lead, cdmo_pm, decision_maker):
    first = _in_force(project, sponsor_lead, cdmo_pm)
    change = services.agreement_propose_change(
        access=access(cdmo_pm, project),
        terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=2),
        why="More frequent governance.",
        needed_by=TODAY + datetime.timedelta(days=5),
    )
    with pytest.raises(ServiceError, match="already proposes new terms"):
        services.agreement_propose_change(
            access=access(sponsor_lead, project),
            terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=3),
            why="Or every three weeks.",
            needed_by=TODAY + datetime.timedelta(days=5),
        )
    services.change_reject(access=access(decision_maker, project), change=change, reason="Monthly is enough.")
    assert WorkingAgreement.objects.get(change_request=change).status == AgreementStatus.REPLACED
    assert agreement_in_force(project=project) == first


def test_proposing_the_same_terms_is_refused(project, sponsor_lead, cdmo_pm):
    _in_force(project, sponsor_lead, cdmo_pm)
    with pytest.raises(ServiceError, match="change at least one"):
        services.agreement_propose_change(
            access=access(cdmo_pm, project),
            terms=_terms(sponsor_lead, cdmo_pm),
            why="Nothing.",
            needed_by=TODAY,
        )


@pytest.mark.parametrize("versions", [1, 5])
def test_agreement_page_query_count_does_not_grow(
    client, project, sponsor_lead, cdmo_pm, decision_maker, versions, django_assert_num_queries
):
    _in_force(project, sponsor_lead, cdmo_pm)
    for weeks in range(2, versions + 1):
        change = services.agreement_propose_change(
            access=access(cdmo_pm, project),
            terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=weeks),
            why="Rhythm.",
            needed_by=TODAY,
        )
        services.change_approve(
            access=access(decision_maker, project), change=change, option=change.options.get()
        )
    client.force_login(sponsor_lead)
    url = reverse("projects:agreement", args=[project.pk])
    client.get(url)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_signing_again_signs_nothing_more(client, project, sponsor_lead, cdmo_pm):
    draft = services.agreement_draft(access=access(cdmo_pm, project), terms=_terms(sponsor_lead, cdmo_pm))
    client.force_login(sponsor_lead)
    url = reverse("projects:agreement", args=[project.pk])
    client.post(url, _sign_data(draft))
    response = client.post(url, _sign_data(draft), follow=True)
    assert "There is nothing left for your side to sign." in response.content.decode()
    assert Signature.objects.filter(action="projects.agreement_sign").count() == 1
