"""Editing a change request and its signatures: a change carrying a proposed working agreement
keeps it through an edit; a change never edited signs exactly what it signed before revisions."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from portal.signatures.registry import signed_action
from portal.signatures.services import signatures_of
from projects import services
from projects.selectors.changes import get_change
from projects.signing import change_signed_content
from tests.factories.projects import change_with_options

from .test_change_edit import NOW, TODAY, _approve, _edit_url
from .test_working_agreement import _in_force, _terms
from .update_helpers import access


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_editing_a_change_that_carries_a_proposed_agreement_keeps_it(
    client, project, sponsor_lead, cdmo_pm, decision_maker
):
    _in_force(project, sponsor_lead, cdmo_pm)
    change = services.agreement_propose_change(
        access=access(cdmo_pm, project),
        terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=2),
        why="More frequent governance.",
        needed_by=TODAY + datetime.timedelta(days=5),
    )
    client.force_login(cdmo_pm)
    form = client.get(_edit_url(change)).content.decode()
    assert reverse("projects:agreement_proposal_edit", args=[project.pk]) in form
    change = get_change(project=project, change_id=change.pk)
    edited = services.change_edit(
        access=access(cdmo_pm, project),
        change=change,
        version=change.version,
        title=change.title,
        what=change.what,
        why="Fortnightly governance during the tech transfer.",
        needed_by=change.needed_by,
        options=[services.OptionDraft(label="Adopt the proposed agreement", description="As proposed.")],
        recommended=0,
        recommendation=change.recommendation,
    )
    edited = get_change(project=project, change_id=edited.pk)
    assert change_signed_content(edited)["working_agreement"]["terms"]["governance_every_weeks"] == 2
    services.change_approve(
        access=access(decision_maker, project),
        change=edited,
        option=edited.recommended_option,
        version=edited.version,
    )
    edited.proposed_agreement.refresh_from_db()
    assert edited.proposed_agreement.status == "in_force"


def test_an_old_revision_1_signature_still_verifies(client, project, decision_maker):
    """The content as it was computed before revisions existed (copied here) hashes the same as
    now for a change never edited, so signatures made before the migration still verify."""
    change = change_with_options(project)
    client.force_login(decision_maker)
    assert (
        client.post(change.get_absolute_url(), _approve(change, change.recommended_option)).status_code == 302
    )
    decided = get_change(project=project, change_id=change.pk)
    before_revisions = {
        "change_request": decided.pk,
        "project": decided.project_id,
        "title": decided.title,
        "what": decided.what,
        "why": decided.why,
        "needed_by": decided.needed_by.isoformat(),
        "raised_by": decided.raised_by_id,
        "options": [
            {
                "option": o.pk,
                "label": o.label,
                "description": o.description,
                "milestones": [{"milestone": i.milestone_id, "days": i.days} for i in o.impacts.all()],
                "cost": o.cost_impact,
                "quality": o.quality_impact,
                "regulatory": o.regulatory_impact,
            }
            for o in decided.options.all()
        ],
        "recommended_option": decided.recommended_option_id,
        "recommendation": decided.recommendation,
        "decision": {"approved_option": decided.approved_option_id, "reason": decided.decision_reason},
    }
    action = signed_action("projects.change_approve")
    assert action.content(decided) == before_revisions
    assert [shown.intact for shown in signatures_of(decided)] == [True]
