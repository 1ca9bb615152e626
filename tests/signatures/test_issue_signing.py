"""The sponsor's signed answers on a service issue: accepting or sending back a plan, and
confirming the closure (which signs the resolution the CDMO reported)."""

from __future__ import annotations

import pgtrigger
import pytest
from django.urls import reverse

from issues import services
from issues.models import EventKind, IssueEvent, IssueStatus, PlanStatus, ResolutionPlan
from portal.signatures.models import Meaning, Signature
from portal.signatures.registry import signed_action
from tests.http import text
from tests.issues.conftest import access, drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(sponsor_lead, decision_maker, cdmo_pm, cdmo_sme):
    return {"lead": sponsor_lead, "dm": decision_maker, "pm": cdmo_pm, "sme": cdmo_sme}


@pytest.fixture
def proposed(project, team):
    issue = services.issue_raise(
        access=access(team["lead"], project),
        severity="major",
        title="Deviation notified late",
        category="quality",
        description="Learned from a batch record.",
        desired_outcome="Notice within 24 hours.",
        impact="Supply at risk.",
    )
    return drive(issue, IssueStatus.PLAN_PROPOSED, team, project)


def _plan_url(name, issue, plan):
    kwargs = {"project_id": issue.project_id, "serviceissue_id": issue.pk, "resolutionplan_id": plan.pk}
    return reverse(f"issues:{name}", kwargs=kwargs)


def _signing(key, record, action, password, **extra):
    prefix = f"sign-{action}"
    return {
        f"{prefix}-meaning": signed_action(key).meanings[0],
        f"{prefix}-shown": signed_action(key).digest(record),
        f"{prefix}-password": password,
        **{f"{prefix}-{k}": v for k, v in extra.items()},
    }


def test_accepting_a_plan_is_signed_on_the_plan(client, proposed, team, password):
    plan = ResolutionPlan.objects.get(issue=proposed)
    client.force_login(team["lead"])
    page = text(client.get(proposed.get_absolute_url()))
    assert "Your signature means <strong>Approved</strong>" in page
    assert "Your signature means <strong>Rejected</strong>" in page
    data = {"accept_plan-note": "Go ahead.", **_signing("issues.plan_accept", plan, "accept_plan", password)}
    assert client.post(_plan_url("accept_plan", proposed, plan), data).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    signature = Signature.objects.get()
    assert (signature.action, signature.record_id, signature.meaning) == (
        "issues.plan_accept",
        plan.pk,
        Meaning.APPROVED,
    )
    assert signature.content["plan"]["steps"] == "1. Investigate.\n2. Report."
    page = text(client.get(proposed.get_absolute_url()))
    assert "Signed by Emily Carter" in page and "meaning Approved" in page


def test_sending_a_plan_back_with_a_wrong_password_keeps_the_reason_and_changes_nothing(
    client, proposed, team
):
    plan = ResolutionPlan.objects.get(issue=proposed)
    client.force_login(team["lead"])
    data = {
        "send_back_plan-text": "The target is too late for our filing.",
        **_signing("issues.plan_send_back", plan, "send_back_plan", "wrong"),
    }
    response = client.post(_plan_url("send_back_plan", proposed, plan), data)
    assert response.status_code == 200
    assert "That is not your password. Nothing was signed." in text(response)
    assert "The target is too late for our filing." in text(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED and not Signature.objects.exists()


def test_sending_a_plan_back_is_signed_as_rejected(client, proposed, team, password):
    plan = ResolutionPlan.objects.get(issue=proposed)
    client.force_login(team["dm"])
    data = {
        "send_back_plan-text": "The target is too late.",
        **_signing("issues.plan_send_back", plan, "send_back_plan", password),
    }
    assert client.post(_plan_url("send_back_plan", proposed, plan), data).status_code == 302
    assert Signature.objects.get().meaning == Meaning.REJECTED
    assert ResolutionPlan.objects.get(pk=plan.pk).status == PlanStatus.SENT_BACK


def test_confirming_the_closure_signs_the_resolution_and_tampering_shows(
    client, project, proposed, team, password
):
    plan = ResolutionPlan.objects.get(issue=proposed)
    issue = services.issue_accept_plan(access=access(team["lead"], project), issue=proposed, plan=plan)
    issue = services.issue_resolve(
        access=access(team["pm"], project), issue=issue, summary="Notification procedure fixed."
    )
    resolution = IssueEvent.objects.get(issue=issue, kind=EventKind.RESOLVED)
    client.force_login(team["lead"])
    url = reverse("issues:confirm_closed", kwargs={"project_id": project.pk, "serviceissue_id": issue.pk})
    data = _signing("issues.confirm_closed", resolution, "confirm_closed", password)
    assert client.post(url, data).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED
    signature = Signature.objects.get()
    assert (signature.action, signature.record_id) == ("issues.confirm_closed", resolution.pk)
    assert signature.content["resolution"]["summary"] == "Notification procedure fixed."
    assert "Record changed after signing" not in text(client.get(issue.get_absolute_url()))

    with pgtrigger.ignore("issues.IssueEvent:issueevent_append_only"):
        IssueEvent.objects.filter(pk=resolution.pk).update(note="Nothing was fixed.")
    page = text(client.get(issue.get_absolute_url()))
    assert "Signed by Emily Carter" in page and "Record changed after signing" in page


def test_the_cdmo_never_gets_a_signing_dialog(client, proposed, team):
    client.force_login(team["pm"])
    page = text(client.get(proposed.get_absolute_url()))
    assert "Sign electronically" not in page
