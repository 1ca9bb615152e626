"""Decision requests asked as a choice between options: typed in the update form, published as
DecisionOption rows, replaced by a correction that changes them, decided by approving one option or
rejecting with a reason, signed either way; the signature covers the options."""

import datetime
import re

import pgtrigger
import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from portal.core.exceptions import ServiceError
from portal.signatures.models import Signature
from portal.signatures.registry import signed_action
from projects import services
from projects.audit_export.collect import options_summary
from projects.models import DecisionOption, DecisionOutcome, DecisionRequest, DecisionStatus
from projects.selectors import correction_changes
from tests.factories.organizations import DEFAULT_PASSWORD

from .test_update_draft_pages import _form_data
from .update_helpers import access, published_update, ready_draft, signed_step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 3)
NEEDED_BY = (TODAY + datetime.timedelta(days=10)).isoformat()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _choice(title="Which resin for GMP-01?", **overrides):
    item = {
        "title": title,
        "needed_by": NEEDED_BY,
        "source_decision": None,
        "options": [
            {"label": "MabSelect PrismA", "description": "Qualified; 10 weeks lead time."},
            {"label": "Eshmuno A", "description": "In stock; needs a comparability run."},
        ],
        "recommended": 2,
        "recommendation": "Keeps the GMP-01 start date.",
    }
    return item | overrides


def _decision(cdmo_pm, project, count=2):
    options = [{"label": f"Option {n}", "description": f"What {n} means."} for n in range(1, count + 1)]
    update = published_update(cdmo_pm, project, decisions_needed=[_choice(options=options, recommended=1)])
    return DecisionRequest.objects.get(update=update)


def _approve(decision, option, password=DEFAULT_PASSWORD, note=""):
    return signed_step(
        "approve",
        decision,
        "projects.decision_resolve",
        meaning="approved",
        password=password,
        option=str(option.pk),
        reason=note,
    )


def _reject(decision, reason, password=DEFAULT_PASSWORD):
    return signed_step(
        "reject", decision, "projects.decision_resolve", meaning="rejected", password=password, reason=reason
    )


def _correct(cdmo_pm, project, update, edit, reason):
    """Publish a correction of `update` whose decisions-needed rows `edit` changes in place."""
    correction = services.update_correct(access=access(cdmo_pm, project), update=update)
    items = correction.decisions_needed
    edit(items)
    services.update_save_draft(
        access=access(cdmo_pm, project),
        update=correction,
        version=correction.version,
        decisions_needed=items,
        correction_reason=reason,
    )
    correction.refresh_from_db()
    return services.update_publish(
        access=access(cdmo_pm, project), update=correction, version=correction.version
    )


# --- The update form ----------------------------------------------------------------


def _options_typed(**overrides):
    data = {
        "decisions-0-title": "Which resin for GMP-01?",
        "decisions-0-needed_by": NEEDED_BY,
        "decisions-0-option_1_label": "MabSelect PrismA",
        "decisions-0-option_1_description": "Qualified; 10 weeks lead time.",
        "decisions-0-option_2_label": "Eshmuno A",
        "decisions-0-option_2_description": "In stock.",
        "decisions-0-recommended": "2",
        "decisions-0-recommendation": "Keeps the GMP-01 start date.",
    }
    return data | overrides


def test_recommending_an_empty_option_comes_back_with_everything_typed(client, project, cdmo_pm):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    data = _form_data(draft, **_options_typed(**{"decisions-0-recommended": "3"}))
    response = client.post(reverse("projects:update_edit", args=[project.pk, draft.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "Recommend one of the options you filled in." in page
    for typed in (
        "MabSelect PrismA",
        "Qualified; 10 weeks lead time.",
        "Eshmuno A",
        "Keeps the GMP-01 start",
    ):
        assert typed in page
    draft.refresh_from_db()
    assert draft.decisions_needed == []


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        (
            {
                "decisions-0-option_2_label": "",
                "decisions-0-option_2_description": "",
                "decisions-0-recommended": "1",
            },
            "give between 2 and 4 options",
        ),
        ({"decisions-0-option_2_description": ""}, "give every option a label and a description"),
        ({"decisions-0-recommendation": ""}, "recommend one of the options and say why"),
    ],
)
def test_publishing_incomplete_options_says_what_is_missing_and_keeps_them(
    client, project, cdmo_pm, typed, problem
):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    data = _form_data(draft, action="publish", **_options_typed(**typed))
    response = client.post(reverse("projects:update_edit", args=[project.pk, draft.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and problem in page and "MabSelect PrismA" in page
    assert not DecisionRequest.objects.exists()


def test_the_draft_keeps_the_options_and_the_form_shows_them_again(client, project, cdmo_pm):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    client.post(
        reverse("projects:update_edit", args=[project.pk, draft.pk]), _form_data(draft, **_options_typed())
    )
    draft.refresh_from_db()
    (item,) = draft.decisions_needed
    assert [o["label"] for o in item["options"]] == ["MabSelect PrismA", "Eshmuno A"]
    assert item["recommended"] == 2 and item["recommendation"] == "Keeps the GMP-01 start date."
    page = client.get(reverse("projects:update_edit", args=[project.pk, draft.pk])).content.decode()
    assert 'value="Eshmuno A"' in page
    assert re.search(r'<input[^>]*name="decisions-0-recommended"[^>]*value="2"[^>]*checked', page)


# --- Publishing and corrections -------------------------------------------------------


def test_publishing_creates_the_options_and_the_recommendation(project, cdmo_pm):
    update = published_update(
        cdmo_pm, project, decisions_needed=[_choice(), {**_choice("Free text?"), "options": []}]
    )
    choice, free = DecisionRequest.objects.filter(update=update).order_by("pk")
    assert [o.label for o in choice.options.all()] == ["MabSelect PrismA", "Eshmuno A"]
    assert choice.recommended_option.label == "Eshmuno A"
    assert choice.recommendation == "Keeps the GMP-01 start date."
    assert free.recommended_option is None and not free.options.exists() and free.recommendation == ""
    with pytest.raises(DatabaseError), transaction.atomic():
        DecisionOption.objects.filter(decision=choice).update(label="Changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        DecisionRequest.objects.filter(pk=choice.pk).update(recommendation="Changed")


def test_a_correction_replaces_a_request_whose_options_changed_and_keeps_an_unchanged_one(project, cdmo_pm):
    update = published_update(cdmo_pm, project, decisions_needed=[_choice(), _choice("Second choice?")])
    first, second = DecisionRequest.objects.filter(update=update).order_by("pk")

    def rename(items):
        assert items[0]["options"][1]["label"] == "Eshmuno A" and items[0]["recommended"] == 2
        items[0]["options"][1]["label"] = "Eshmuno A (2026 lot)"

    correction = _correct(cdmo_pm, project, update, rename, "Resin lot named.")
    (changed,) = correction_changes(update=correction)
    assert changed.label == "Decisions needed from the sponsor"
    assert "Eshmuno A (2026 lot) [recommended]" in changed.added[0]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == DecisionStatus.WITHDRAWN and second.status == DecisionStatus.OPEN
    replacement = DecisionRequest.objects.get(replaces=first)
    assert [o.label for o in replacement.options.all()] == ["MabSelect PrismA", "Eshmuno A (2026 lot)"]
    assert replacement.recommended_option.label == "Eshmuno A (2026 lot)"


def test_a_changed_recommendation_also_replaces_the_request(project, cdmo_pm):
    update = published_update(cdmo_pm, project, decisions_needed=[_choice()])
    original = DecisionRequest.objects.get(update=update)
    _correct(cdmo_pm, project, update, lambda items: items[0].update(recommended=1), "PrismA after all.")
    original.refresh_from_db()
    assert original.status == DecisionStatus.WITHDRAWN
    assert DecisionRequest.objects.get(replaces=original).recommended_option.label == "MabSelect PrismA"


# --- Deciding ------------------------------------------------------------------------------


def test_the_sponsor_approves_an_option_with_a_signature_and_the_cdmo_is_told(
    client, project, cdmo_pm, decision_maker, django_capture_on_commit_callbacks
):
    decision = _decision(cdmo_pm, project)
    first = decision.options.first()
    client.force_login(decision_maker)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Sign and approve" in page and "Recommended" in page and f'value="{first.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decision.get_absolute_url(), _approve(decision, first, note="At the steering committee.")
        )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DECIDED and decision.outcome == DecisionOutcome.APPROVED
    assert decision.approved_option == first and decision.decision_note == "At the steering committee."
    signature = Signature.objects.get(action="projects.decision_resolve")
    assert signature.meaning == "approved"
    assert [o["label"] for o in signature.content["options"]] == ["Option 1", "Option 2"]
    assert signature.content["recommended_option"] == decision.recommended_option_id
    assert signature.content["approved_option"] == first.pk
    assert signature.content["recommendation"] == "Keeps the GMP-01 start date."
    page = client.get(decision.get_absolute_url()).content.decode()
    assert (
        "Option approved" in page
        and "meaning Approved" in page
        and "Record changed after signing" not in page
    )
    told = next(m for m in mail.outbox if m.to == [cdmo_pm.email] and "decided" in m.subject)
    assert "Approved option: Option 1" in told.body and "Approved option: Option 1" in told.alternatives[0][0]
    assert options_summary(signature.content) == "Options: Option 1 (recommended) (approved); Option 2"
    listed = client.get(reverse("projects:decisions") + "?show=all").content.decode()
    assert "Approved “Option 1”" in listed
    detail = client.get(decision.update.get_absolute_url()).content.decode()
    assert "Approved “Option 1”" in detail and "Keeps the GMP-01 start date." in detail


def test_rejecting_needs_a_reason_and_signs_rejected(client, project, cdmo_pm, sponsor_lead):
    decision = _decision(cdmo_pm, project)
    client.force_login(sponsor_lead)
    response = client.post(decision.get_absolute_url(), _reject(decision, ""))
    assert response.status_code == 200 and "Give the reason for rejecting" in response.content.decode()
    assert not Signature.objects.exists()
    response = client.post(decision.get_absolute_url(), _reject(decision, "Neither: we change the process."))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.REJECTED and decision.approved_option is None
    assert Signature.objects.get().meaning == "rejected"
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Reason for rejecting" in page and "Rejected" in page


def test_a_wrong_password_decides_nothing_and_keeps_the_note(client, project, cdmo_pm, decision_maker):
    decision = _decision(cdmo_pm, project)
    client.force_login(decision_maker)
    response = client.post(
        decision.get_absolute_url(),
        _approve(decision, decision.options.last(), password="wrong", note="Typed with care."),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Typed with care." in page
    assert (
        f'value="{decision.options.last().pk}" checked' in page.replace("checked\n", "checked")
        or "checked" in page
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and not Signature.objects.exists()


def test_an_option_changed_after_signing_shows_on_the_page(client, project, cdmo_pm, decision_maker):
    decision = _decision(cdmo_pm, project)
    client.force_login(decision_maker)
    client.post(decision.get_absolute_url(), _approve(decision, decision.recommended_option))
    assert "Record changed after signing" not in client.get(decision.get_absolute_url()).content.decode()
    with pgtrigger.ignore("projects.DecisionOption:decision_option_no_update"):
        DecisionOption.objects.filter(pk=decision.recommended_option_id).update(description="Something else")
    assert "Record changed after signing" in client.get(decision.get_absolute_url()).content.decode()


def test_the_database_holds_the_approved_option_to_the_same_request(project, cdmo_pm, sponsor_lead):
    decision = _decision(cdmo_pm, project)
    other = _decision(cdmo_pm, project)
    decided = {"status": "decided", "decided_at": NOW, "decided_by": sponsor_lead, "outcome": "approved"}
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRequest.objects.filter(pk=decision.pk).update(**decided, decision_note="Yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the composite keys are deferred to commit
        DecisionRequest.objects.filter(pk=decision.pk).update(
            **decided, approved_option=other.options.first()
        )
    with pytest.raises(ServiceError, match="Choose one of the options offered"):
        services.decision_resolve(
            access=access(sponsor_lead, project), decision=decision, option=other.options.first(), note=""
        )


def test_a_request_without_options_is_still_decided_in_free_text(client, project, cdmo_pm, sponsor_lead):
    update = published_update(cdmo_pm, project, decisions_needed=[{**_choice(), "options": []}])
    decision = DecisionRequest.objects.get(update=update)
    client.force_login(sponsor_lead)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Sign and record the decision" in page and "Sign and approve" not in page
    response = client.post(
        decision.get_absolute_url(),
        {
            "decision_note": "Not now.",
            "sign-meaning": "rejected",
            "sign-shown": signed_action("projects.decision_resolve").digest(decision),
            "sign-password": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.REJECTED and decision.decision_note == "Not now."
    assert "options" not in Signature.objects.get().content


# Queries each page takes for the sponsor's lead, whether the request offers two options or four.
# The decision page's signing dialogs ask once how the organization signs (portal.sso.fresh).
PAGE_QUERIES = {"decision": 12, "update": 13, "decisions": 6, "overview": 6}


@pytest.mark.parametrize("page", PAGE_QUERIES)
def test_the_pages_showing_options_do_not_grow_with_them(
    client, project, cdmo_pm, sponsor_lead, django_assert_num_queries, page
):
    def url(decision):
        return {
            "decision": decision.get_absolute_url(),
            "update": decision.update.get_absolute_url(),
            "decisions": reverse("projects:decisions"),
            "overview": project.get_absolute_url(),
        }[page]

    client.force_login(sponsor_lead)
    for count in (2, 4):
        decision = _decision(cdmo_pm, project, count=count)
        client.get(url(decision))  # warm the per-process caches
        with django_assert_num_queries(PAGE_QUERIES[page]):
            client.get(url(decision))
