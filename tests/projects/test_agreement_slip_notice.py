"""The working agreement's notice of a slip (No surprises, issue 15): calendar days, 1 to 90,
14 by default; typed on the draft and proposal forms, frozen with the version, signed with it only
when it is not 14 (so every earlier signature still verifies), shown on the Agreement tab."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from portal.core.exceptions import ServiceError
from portal.signatures.models import Meaning, Signature
from portal.signatures.registry import canonical_json, sha256, signed_action
from portal.signatures.services import signatures_of
from projects import services
from projects.models import AgreementStatus, WorkingAgreement

from .test_working_agreement import _form_data, _in_force, _terms
from .update_helpers import access

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_draft_form_stores_the_notice_and_the_tab_shows_it(client, project, sponsor_lead, cdmo_pm):
    client.force_login(cdmo_pm)
    url = reverse("projects:agreement_draft", args=[project.pk])
    assert 'name="slip_notice_days" value="14"' in client.get(url).content.decode()
    response = client.post(url, _form_data(sponsor_lead, cdmo_pm, slip_notice_days="10"))
    assert response.status_code == 302
    assert WorkingAgreement.objects.get().slip_notice_days == 10
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "<dt>Notice of a slip</dt><dd>10 calendar days before the baseline date</dd>" in page
    # Revising the draft starts from what it agreed.
    assert 'name="slip_notice_days" value="10"' in client.get(url).content.decode()


def test_a_blank_notice_is_the_default_fourteen_days(client, project, sponsor_lead, cdmo_pm):
    client.force_login(cdmo_pm)
    data = _form_data(sponsor_lead, cdmo_pm, slip_notice_days="")
    client.post(reverse("projects:agreement_draft", args=[project.pk]), data)
    assert WorkingAgreement.objects.get().slip_notice_days == 14
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "14 calendar days before the baseline date" in page


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0", "greater than or equal to 1"),
        ("91", "less than or equal to 90"),
        ("two weeks", "Enter a whole number"),
    ],
)
def test_the_form_refuses_a_notice_out_of_range_and_keeps_what_was_typed(
    client, project, sponsor_lead, cdmo_pm, typed, error
):
    client.force_login(cdmo_pm)
    data = _form_data(sponsor_lead, cdmo_pm, governance_forum="Monthly JSC", slip_notice_days=typed)
    response = client.post(reverse("projects:agreement_draft", args=[project.pk]), data)
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["slip_notice_days"])
    page = response.content.decode()
    assert f'name="slip_notice_days" value="{typed}"' in page and 'value="Monthly JSC"' in page
    assert not WorkingAgreement.objects.exists()


def test_the_services_refuse_a_notice_out_of_range(project, sponsor_lead, cdmo_pm):
    pm = access(cdmo_pm, project)
    for days in (0, 91):
        with pytest.raises(ServiceError, match="1 to 90 calendar days"):
            services.agreement_draft(access=pm, terms=_terms(sponsor_lead, cdmo_pm, slip_notice_days=days))
    assert not WorkingAgreement.objects.exists()


def test_the_proposal_edit_form_carries_the_notice_and_keeps_input(client, project, sponsor_lead, cdmo_pm):
    _in_force(project, sponsor_lead, cdmo_pm)
    change = services.agreement_propose_change(
        access=access(cdmo_pm, project),
        terms=_terms(sponsor_lead, cdmo_pm, slip_notice_days=21),
        why="Long resin lead times.",
        needed_by=TODAY + datetime.timedelta(days=10),
    )
    assert change.what == "Changed terms: notice of a slip (calendar days)."
    client.force_login(cdmo_pm)
    url = reverse("projects:agreement_proposal_edit", args=[project.pk])
    assert 'name="slip_notice_days" value="21"' in client.get(url).content.decode()
    base = _form_data(
        sponsor_lead,
        cdmo_pm,
        why="Long resin lead times.",
        needed_by=(TODAY + datetime.timedelta(days=10)).isoformat(),
        version=str(change.version),
    )
    refused = client.post(url, base | {"slip_notice_days": "120"})
    assert refused.status_code == 200
    assert 'name="slip_notice_days" value="120"' in refused.content.decode()
    assert "less than or equal to 90" in " ".join(refused.context["form"].errors["slip_notice_days"])
    assert WorkingAgreement.objects.get(status=AgreementStatus.PROPOSED).slip_notice_days == 21
    assert client.post(url, base | {"slip_notice_days": "28"}).status_code == 302
    proposed = WorkingAgreement.objects.get(status=AgreementStatus.PROPOSED)
    assert (proposed.number, proposed.slip_notice_days) == (3, 28)
    change.refresh_from_db()
    # The approval's signature covers the proposed notice.
    content = signed_action("projects.change_approve").content(change)
    assert content["working_agreement"]["terms"]["slip_notice_days"] == 28


def test_the_notice_is_frozen_and_kept_in_range(project, sponsor_lead, cdmo_pm):
    agreement = _in_force(project, sponsor_lead, cdmo_pm, slip_notice_days=10)
    with pytest.raises(DatabaseError, match="agreement_terms_frozen"), transaction.atomic():
        WorkingAgreement.objects.filter(pk=agreement.pk).update(slip_notice_days=30)
    agreement.refresh_from_db()
    assert agreement.slip_notice_days == 10
    # The database refuses a version written out of range, whatever wrote it.
    values = {f.attname: getattr(agreement, f.attname) for f in WorkingAgreement._meta.concrete_fields}
    values |= {"id": None, "number": 9, "status": AgreementStatus.REPLACED, "change_request_id": None}
    for days in (0, 91):
        with pytest.raises(IntegrityError, match="agreement_slip_notice_range"), transaction.atomic():
            WorkingAgreement.objects.create(**(values | {"slip_notice_days": days}))


def test_the_signature_covers_a_notice_other_than_fourteen_days(project, sponsor_lead, cdmo_pm):
    agreement = _in_force(project, sponsor_lead, cdmo_pm, slip_notice_days=10)
    assert signed_action("projects.agreement_sign").content(agreement)["terms"]["slip_notice_days"] == 10


def test_a_signature_made_before_the_notice_was_a_term_still_verifies(project, sponsor_lead, cdmo_pm):
    """A version agreed with a tolerance and targets and the (then fixed) 14 days' notice: its
    signature, in the shape signed before the notice was a term, still verifies."""
    agreement = _in_force(
        project, sponsor_lead, cdmo_pm, on_time_tolerance_days=3, scorecard_targets={"on_time": [90, 80, 70]}
    )
    assert agreement.slip_notice_days == 14
    # What `agreement_signed_content` gave before the notice was a term, written out by hand.
    before = {
        "working_agreement": agreement.pk,
        "project": project.pk,
        "version": 1,
        "terms": {
            "update_cadence_days": 14,
            "question_response_days": 3,
            "response_hours": {"critical": [2, 6], "major": [8, 16], "minor": [24, 40]},
            "governance_every_weeks": 4,
            "governance_forum": "Joint steering committee",
            "sponsor_escalation": sponsor_lead.pk,
            "cdmo_escalation": cdmo_pm.pk,
            "escalation_steps": "Call the other side's contact within one business day.",
            "on_time_tolerance_days": 3,
            "scorecard_targets": {"on_time": [90, 80, 70]},
        },
    }
    canonical = canonical_json(before)
    Signature.objects.create(
        action="projects.agreement_sign",
        record_type=ContentType.objects.get_for_model(WorkingAgreement),
        record_id=agreement.pk,
        signer=sponsor_lead,
        printed_name=sponsor_lead.full_name,
        signer_email=sponsor_lead.email,
        meaning=Meaning.AGREED,
        content_sha256=sha256(canonical),
        content=before,
        components="password",
    )
    assert signed_action("projects.agreement_sign").canonical(agreement) == canonical
    [shown] = signatures_of(agreement)
    assert shown.intact  # not "Record changed after signing"
