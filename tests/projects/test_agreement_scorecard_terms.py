"""The working agreement's scorecard terms (issue 15): an on-time tolerance and targets agreed for
some scorecard measures, typed on the draft and proposal forms, frozen with the version, signed
with it (a version without them signs exactly what versions signed before they existed), and
shown on the Agreement tab."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.urls import reverse

from portal.core.exceptions import ServiceError
from portal.signatures.models import Meaning, Signature
from portal.signatures.registry import canonical_json, sha256, signed_action
from portal.signatures.services import signatures_of
from projects import services
from projects.agreed_targets import agreed_measures
from projects.models import AgreementStatus, WorkingAgreement

from .test_working_agreement import _form_data, _in_force, _terms
from .update_helpers import access

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _targets(key="on_time", target="90", amber="80", red="70"):
    return {
        f"scorecard_{key}_target": target,
        f"scorecard_{key}_amber": amber,
        f"scorecard_{key}_red": red,
    }


def test_the_scorecards_register_their_share_measures_for_the_agreement():
    keys = [measure.key for measure in agreed_measures()]
    # In the Health tab's order; the recognition count has no target, so it is not there.
    assert keys[:3] == ["on_time", "no_surprises", "cadence"]
    assert "decisions_on_time" in keys and "recognition" not in keys
    # Each side has its "Action items on time": the labels say whom each judges.
    labels = [measure.label for measure in agreed_measures()]
    assert len(set(labels)) == len(labels)
    assert {"Action items on time, about the CDMO", "Action items on time, about the sponsor"} <= set(labels)


def test_the_draft_form_stores_the_tolerance_and_the_targets_and_the_tab_shows_them(
    client, project, sponsor_lead, cdmo_pm
):
    client.force_login(cdmo_pm)
    data = _form_data(sponsor_lead, cdmo_pm, on_time_tolerance_days="3")
    data |= _targets() | _targets("decisions_on_time", "75", "60", "60")
    response = client.post(reverse("projects:agreement_draft", args=[project.pk]), data)
    assert response.status_code == 302
    draft = WorkingAgreement.objects.get()
    assert draft.on_time_tolerance_days == 3
    # Blank measures keep the organizations' default: only the two typed are agreed.
    assert draft.scorecard_targets == {"on_time": [90, 80, 70], "decisions_on_time": [75, 60, 60]}
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "3 calendar days after the baseline date" in page
    assert (
        '<th scope="row">On-time delivery, about the CDMO</th><td>90 %</td><td>80 %</td><td>70 %</td>' in page
    )
    assert (
        '<th scope="row">Decisions on time, about the sponsor</th><td>75 %</td><td>60 %</td><td>60 %</td>'
        in page
    )
    # Revising the draft starts from what it agreed.
    form = client.get(reverse("projects:agreement_draft", args=[project.pk])).content.decode()
    assert 'name="scorecard_on_time_target" value="90"' in form
    assert 'name="on_time_tolerance_days" value="3"' in form


def test_a_draft_without_scorecard_terms_has_none(client, project, sponsor_lead, cdmo_pm):
    client.force_login(cdmo_pm)
    client.post(reverse("projects:agreement_draft", args=[project.pk]), _form_data(sponsor_lead, cdmo_pm))
    draft = WorkingAgreement.objects.get()
    assert (draft.on_time_tolerance_days, draft.scorecard_targets) == (0, {})
    page = client.get(reverse("projects:agreement", args=[project.pk])).content.decode()
    assert "None: on or before the baseline date" in page and "The organizations' defaults" in page


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        (
            _targets(amber="95"),
            "scorecard_on_time_amber",
            "The amber threshold must be at or below the target.",
        ),
        (
            _targets(red="85"),
            "scorecard_on_time_red",
            "The red threshold must be at or below the amber threshold.",
        ),
        (_targets(amber=""), "scorecard_on_time_amber", "or leave all three blank"),
        (_targets(target="101"), "scorecard_on_time_target", "less than or equal to 100"),
        ({"on_time_tolerance_days": "31"}, "on_time_tolerance_days", "less than or equal to 30"),
    ],
)
def test_the_form_refuses_bad_targets_and_keeps_what_was_typed(
    client, project, sponsor_lead, cdmo_pm, typed, field, error
):
    client.force_login(cdmo_pm)
    data = _form_data(sponsor_lead, cdmo_pm, governance_forum="Monthly JSC") | typed
    response = client.post(reverse("projects:agreement_draft", args=[project.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert error in " ".join(form.errors[field])
    page = response.content.decode()
    for name, value in typed.items():
        if value:
            assert f'name="{name}" value="{value}"' in page
    assert 'value="Monthly JSC"' in page and not WorkingAgreement.objects.exists()


def test_the_services_refuse_what_the_form_would(project, sponsor_lead, cdmo_pm):
    pm = access(cdmo_pm, project)
    with pytest.raises(ServiceError, match="0 to 30 calendar days"):
        services.agreement_draft(access=pm, terms=_terms(sponsor_lead, cdmo_pm, on_time_tolerance_days=31))
    with pytest.raises(ServiceError, match="No scorecard measure"):
        services.agreement_draft(
            access=pm, terms=_terms(sponsor_lead, cdmo_pm, scorecard_targets={"velocity": [90, 80, 70]})
        )
    with pytest.raises(ServiceError, match="at or below the target"):
        services.agreement_draft(
            access=pm, terms=_terms(sponsor_lead, cdmo_pm, scorecard_targets={"on_time": [70, 80, 60]})
        )
    assert not WorkingAgreement.objects.exists()


def test_the_proposal_edit_form_carries_the_targets_and_keeps_input(client, project, sponsor_lead, cdmo_pm):
    _in_force(project, sponsor_lead, cdmo_pm)
    change = services.agreement_propose_change(
        access=access(cdmo_pm, project),
        terms=_terms(
            sponsor_lead, cdmo_pm, on_time_tolerance_days=2, scorecard_targets={"cadence": [95, 90, 80]}
        ),
        why="Weekly GMP campaign.",
        needed_by=TODAY + datetime.timedelta(days=10),
    )
    assert "on-time tolerance (calendar days)" in change.what and "scorecard targets" in change.what
    client.force_login(cdmo_pm)
    url = reverse("projects:agreement_proposal_edit", args=[project.pk])
    form = client.get(url).content.decode()
    assert 'name="scorecard_cadence_target" value="95"' in form
    assert 'name="on_time_tolerance_days" value="2"' in form
    base = _form_data(
        sponsor_lead,
        cdmo_pm,
        why="Weekly GMP campaign.",
        needed_by=(TODAY + datetime.timedelta(days=10)).isoformat(),
        version=str(change.version),
        on_time_tolerance_days="2",
    )
    refused = client.post(url, base | _targets("cadence", "95", "96", "80"))
    assert (
        refused.status_code == 200 and 'name="scorecard_cadence_amber" value="96"' in refused.content.decode()
    )
    assert WorkingAgreement.objects.get(status=AgreementStatus.PROPOSED).number == 2
    response = client.post(url, base | _targets("cadence", "95", "85", "80"))
    assert response.status_code == 302
    proposed = WorkingAgreement.objects.get(status=AgreementStatus.PROPOSED)
    assert proposed.number == 3 and proposed.scorecard_targets == {"cadence": [95, 85, 80]}
    change.refresh_from_db()
    # The approval's signature covers the proposed scorecard terms.
    content = signed_action("projects.change_approve").content(change)
    assert content["working_agreement"]["terms"]["scorecard_targets"] == {"cadence": [95, 85, 80]}
    assert content["working_agreement"]["terms"]["on_time_tolerance_days"] == 2


def test_the_scorecard_terms_are_frozen(project, sponsor_lead, cdmo_pm):
    agreement = _in_force(
        project,
        sponsor_lead,
        cdmo_pm,
        on_time_tolerance_days=3,
        scorecard_targets={"on_time": [90, 80, 70]},
    )
    with pytest.raises(DatabaseError, match="agreement_terms_frozen"), transaction.atomic():
        WorkingAgreement.objects.filter(pk=agreement.pk).update(on_time_tolerance_days=10)
    with pytest.raises(DatabaseError, match="agreement_terms_frozen"), transaction.atomic():
        WorkingAgreement.objects.filter(pk=agreement.pk).update(scorecard_targets={"on_time": [50, 40, 30]})
    agreement.refresh_from_db()
    assert (agreement.on_time_tolerance_days, agreement.scorecard_targets) == (3, {"on_time": [90, 80, 70]})


def test_the_signature_covers_the_scorecard_terms(project, sponsor_lead, cdmo_pm):
    agreement = _in_force(
        project, sponsor_lead, cdmo_pm, on_time_tolerance_days=3, scorecard_targets={"on_time": [90, 80, 70]}
    )
    terms = signed_action("projects.agreement_sign").content(agreement)["terms"]
    assert terms["on_time_tolerance_days"] == 3 and terms["scorecard_targets"] == {"on_time": [90, 80, 70]}


def test_a_signature_made_before_the_scorecard_terms_existed_still_verifies(project, sponsor_lead, cdmo_pm):
    agreement = _in_force(project, sponsor_lead, cdmo_pm)
    # What `agreement_signed_content` gave before the scorecard terms existed, written out by hand.
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
