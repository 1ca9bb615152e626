"""The draft form of a status update, and the decision pages, through the browser-facing views."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.signatures.models import Signature
from portal.signatures.registry import signed_action
from projects import services
from projects.models import (
    DecisionRequest,
    StatusUpdate,
)
from tests.factories.organizations import DEFAULT_PASSWORD

from .update_helpers import access, published_update, ready_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _form_data(update, **overrides):
    data = {
        "title": update.title,
        "period_start": update.period_start.isoformat(),
        "period_end": update.period_end.isoformat(),
        "overall_rag": update.overall_rag,
        "schedule_rag": update.schedule_rag,
        "budget_rag": update.budget_rag,
        "quality_rag": update.quality_rag,
        "supply_rag": update.supply_rag,
        "summary": update.summary,
        "progress": update.progress,
        "risks": update.risks,
        "version": update.version,
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-description": "Start GMP-01",
        "steps-0-due": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "steps-1-description": "",
        "steps-1-due": "",
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-title": "",
        "decisions-0-needed_by": "",
        "decisions-0-source_decision": "",
    }
    data.update(overrides)
    return data


# --- The draft form ------------------------------------------------------------------


def _sign_and_publish(client, draft, password=DEFAULT_PASSWORD):
    draft.refresh_from_db()
    url = reverse("projects:update_publish", args=[draft.project_id, draft.pk])
    return client.post(
        url,
        {
            "sign-meaning": "authored",
            "sign-shown": signed_action("projects.update_publish").digest(draft),
            "sign-password": password,
        },
    )


def test_edit_form_saves_then_the_author_signs_and_publishes(
    client, project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    url = reverse("projects:update_edit", args=[project.pk, draft.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(draft, action="publish"))
    # Saved, not yet published: the author reads it as the sponsor will and signs.
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url() + "#sign"
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.next_steps[0]["description"] == "Start GMP-01"
    preview = client.get(draft.get_absolute_url()).content.decode()
    assert "Sign and publish" in preview and "Your signature means <strong>Authored</strong>" in preview

    refused = _sign_and_publish(client, draft, password="wrong")
    assert refused.status_code == 200 and "That is not your password" in refused.content.decode()
    assert StatusUpdate.objects.get(pk=draft.pk).status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_and_publish(client, draft)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == "published"
    assert [m.to for m in mail.outbox] == [[sponsor_lead.email]]
    assert (
        "meaning Authored" in mail.outbox[0].body and "meaning Authored" in mail.outbox[0].alternatives[0][0]
    )
    signature = Signature.objects.get(action="projects.update_publish")
    assert signature.record_id == draft.pk and signature.meaning == "authored"
    assert signature.content["next_steps"][0]["description"] == "Start GMP-01"
    client.force_login(sponsor_lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Signed by" in page and "meaning Authored" in page


def test_publishing_an_incomplete_draft_keeps_what_was_typed_and_says_what_is_missing(
    client, project, cdmo_pm
):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    url = reverse("projects:update_edit", args=[project.pk, draft.pk])
    data = _form_data(draft, title="", summary="Half written summary", action="publish", overall_rag="")
    data["decisions-0-title"] = "Approve resin"
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Your draft is saved" in body and "Write a one-line headline." in body
    assert "Set the overall status status" not in body and "Set the overall status" in body
    assert "Every decision needs a description and a needed-by date." in body
    assert "Half written summary" in body and 'value="Approve resin"' in body
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.summary == "Half written summary"


def test_editing_a_published_update_fails_clearly(client, project, cdmo_pm):
    update = published_update(cdmo_pm, project)
    client.force_login(cdmo_pm)
    url = reverse("projects:update_edit", args=[project.pk, update.pk])
    response = client.post(url, _form_data(update, summary="Rewritten"), follow=True)
    assert "it is a record and cannot be edited" in response.content.decode()
    assert StatusUpdate.objects.get(pk=update.pk).summary != "Rewritten"
    autosave = client.post(
        reverse("projects:update_autosave", args=[project.pk, update.pk]), _form_data(update)
    )
    assert "it is a record and cannot be edited" in autosave.content.decode()


def test_autosave_answers_with_saved_time_and_new_version(client, project, cdmo_pm):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    url = reverse("projects:update_autosave", args=[project.pk, draft.pk])
    response = client.post(url, _form_data(draft, summary="Typing..."), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "Saved " in body
    assert 'name="version" value="2"' in body and 'hx-swap-oob="true"' in body
    assert StatusUpdate.objects.get(pk=draft.pk).summary == "Typing..."


def test_autosave_refuses_to_overwrite_a_colleague(client, project, cdmo_pm, cdmo_admin):
    draft = services.update_start(access=access(cdmo_pm, project))
    services.update_save_draft(
        access=access(cdmo_admin, project), update=draft, version=1, summary="Colleague's"
    )
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:update_autosave", args=[project.pk, draft.pk]),
        _form_data(draft, summary="Mine", version=1),
    )
    assert "Someone else saved this draft" in response.content.decode()
    assert StatusUpdate.objects.get(pk=draft.pk).summary == "Colleague's"


def test_decision_rows_become_requests_on_publish(
    client, project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    needed_by = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    data = _form_data(draft, action="publish")
    data.update({"decisions-0-title": "Approve the resin change", "decisions-0-needed_by": needed_by})
    client.post(reverse("projects:update_edit", args=[project.pk, draft.pk]), data)
    _sign_and_publish(client, draft)
    decision = DecisionRequest.objects.get()
    client.force_login(sponsor_lead)
    overview = client.get(project.get_absolute_url()).content.decode()
    assert "Approve the resin change" in overview
    across = client.get(reverse("projects:decisions")).content.decode()
    assert "Approve the resin change" in across and project.code in across
    signing = {
        "sign-meaning": "approved",
        "sign-shown": signed_action("projects.decision_resolve").digest(decision),
        "sign-password": DEFAULT_PASSWORD,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decision.get_absolute_url(), {"decision_note": "Approved at the steering committee.", **signing}
        )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "decided"
    signature = Signature.objects.get(action="projects.decision_resolve")
    assert (
        signature.meaning == "approved"
        and signature.content["decision"] == "Approved at the steering committee."
    )
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "meaning Approved" in page and "Record changed after signing" not in page
    told = next(m for m in mail.outbox if m.to == [cdmo_pm.email] and "Approved at the steering" in m.body)
    assert "meaning Approved" in told.body and "meaning Approved" in told.alternatives[0][0]
    assert "Nothing is waiting on a decision" in client.get(reverse("projects:decisions")).content.decode()


def test_decision_without_a_note_comes_back_with_the_error(client, project, cdmo_pm, sponsor_lead):
    update = published_update(
        cdmo_pm,
        project,
        decisions_needed=[
            {"title": "Approve resin", "needed_by": timezone.localdate().isoformat(), "source_decision": None}
        ],
    )
    client.force_login(sponsor_lead)
    response = client.post(
        DecisionRequest.objects.get(update=update).get_absolute_url(), {"decision_note": ""}
    )
    assert response.status_code == 200 and "Write down what was decided." in response.content.decode()


def test_decisions_list_query_count_is_flat(
    client, project, cdmo_pm, sponsor_lead, django_assert_max_num_queries
):
    def raise_decisions(count):
        items = [
            {"title": f"Decision {n}", "needed_by": timezone.localdate().isoformat(), "source_decision": None}
            for n in range(count)
        ]
        published_update(cdmo_pm, project, decisions_needed=items, title=f"{count} decisions")

    client.force_login(sponsor_lead)
    raise_decisions(1)
    client.get(reverse("projects:decisions"))
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("projects:decisions"))
    raise_decisions(20)
    with django_assert_max_num_queries(10) as many:
        client.get(reverse("projects:decisions"))
    assert len(many.captured_queries) == len(few.captured_queries)
