"""The status-update pages: Updates tab, update page, draft form (autosave, publish), attachments, decisions."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.attachments import MAX_ATTACHMENT_BYTES
from projects.models import (
    DecisionRequest,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateAttachment,
    UpdateComment,
)

from .update_helpers import access, published_update, ready_draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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


# --- Updates tab ----------------------------------------------------------------


def test_updates_tab_lists_latest_first_with_drafts_first_for_the_cdmo(
    client, project, cdmo_pm, sponsor_lead
):
    published_update(cdmo_pm, project, title="Older update", overall_rag="green")
    newer = ready_draft(cdmo_pm, project, title="Newer update", overall_rag="red")
    newer = services.update_publish(access=access(cdmo_pm, project), update=newer, version=newer.version)
    draft = ready_draft(cdmo_pm, project, title="Work in progress")
    client.force_login(cdmo_pm)
    body = client.get(reverse("projects:updates", args=[project.pk])).content.decode()
    body = body[body.index('class="update-list"') :]
    assert body.index("Work in progress") < body.index("Newer update") < body.index("Older update")
    assert "rag-red" in body
    client.force_login(sponsor_lead)
    body = client.get(reverse("projects:updates", args=[project.pk])).content.decode()
    assert "Work in progress" not in body and "Newer update" in body
    filtered = client.get(
        reverse("projects:updates", args=[project.pk]), {"overall": "green"}
    ).content.decode()
    filtered = filtered[filtered.index('class="update-list"') :]
    assert "Older update" in filtered and "Newer update" not in filtered
    assert draft.pk


def test_updates_tab_empty_state(client, project, cdmo_pm, sponsor_lead):
    client.force_login(cdmo_pm)
    assert (
        "Write the first update"
        in client.get(reverse("projects:updates", args=[project.pk])).content.decode()
    )
    client.force_login(sponsor_lead)
    assert (
        "You will get an email" in client.get(reverse("projects:updates", args=[project.pk])).content.decode()
    )


def test_updates_tab_query_count_is_flat(
    client, project, cdmo_pm, sponsor_lead, django_assert_max_num_queries
):
    client.force_login(sponsor_lead)
    url = reverse("projects:updates", args=[project.pk])
    published_update(cdmo_pm, project)
    client.get(url)
    with django_assert_max_num_queries(14) as one:
        client.get(url)
    for number in range(12):
        update = published_update(cdmo_pm, project, title=f"Week {number}")
        services.update_acknowledge(access=access(sponsor_lead, project), update=update)
        services.comment_post(access=access(sponsor_lead, project), update=update, body="?", kind="question")
    with django_assert_max_num_queries(14) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_header_shows_latest_status_and_days_since(client, project, cdmo_pm, sponsor_lead):
    client.force_login(sponsor_lead)
    assert "No update published yet" in client.get(project.get_absolute_url()).content.decode()
    published_update(cdmo_pm, project, overall_rag="amber")
    body = client.get(project.get_absolute_url()).content.decode()
    assert "Amber in the latest update" in body and "Last update today" in body


# --- The update page ----------------------------------------------------------------


def test_update_page_query_count_is_flat(
    client, project, cdmo_pm, sponsor_lead, decision_maker, django_assert_max_num_queries
):
    update = published_update(cdmo_pm, project)
    question = services.comment_post(
        access=access(decision_maker, project), update=update, body="Q", kind="question"
    )
    services.question_answer(access=access(cdmo_pm, project), question=question, body="A")
    client.force_login(sponsor_lead)
    client.get(update.get_absolute_url())  # the first request after logging in does session bookkeeping
    with django_assert_max_num_queries(18) as few:
        client.get(update.get_absolute_url())
    for number in range(8):
        question = services.comment_post(
            access=access(decision_maker, project), update=update, body=f"Q{number}", kind="question"
        )
        services.question_answer(access=access(cdmo_pm, project), question=question, body=f"A{number}")
    services.update_acknowledge(access=access(decision_maker, project), update=update)
    with django_assert_max_num_queries(18) as many:
        client.get(update.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)


def test_sponsor_acknowledges_in_place_and_both_sides_see_who_and_when(
    client, project, cdmo_pm, sponsor_lead
):
    update = published_update(cdmo_pm, project)
    client.force_login(sponsor_lead)
    url = reverse("projects:update_acknowledge", args=[project.pk, update.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.strip().startswith('<section class="card ack-box"')
    assert "You acknowledged this update" in body
    client.post(url, HTTP_HX_REQUEST="true")  # a double click changes nothing
    assert UpdateAcknowledgement.objects.filter(update=update).count() == 1
    client.force_login(cdmo_pm)
    page = client.get(update.get_absolute_url()).content.decode()
    assert "Emily Carter" in page and 'class="ack-form"' not in page


def test_acknowledge_without_htmx_redirects_back(client, project, cdmo_pm, sponsor_lead):
    update = published_update(cdmo_pm, project)
    client.force_login(sponsor_lead)
    response = client.post(reverse("projects:update_acknowledge", args=[project.pk, update.pk]))
    assert response.status_code == 302 and response["Location"] == update.get_absolute_url()


def test_question_and_answer_through_the_page(
    client, project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    update = published_update(cdmo_pm, project)
    client.force_login(sponsor_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:update_comment", args=[project.pk, update.pk]),
            {"body": "Which resin lot is reserved?", "kind": "question"},
            HTTP_HX_REQUEST="true",
        )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="discussion"' in body
    assert "Which resin lot is reserved?" in body and "answer due by" in body
    question = UpdateComment.objects.get(kind="question")
    client.force_login(cdmo_pm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:question_answer", args=[project.pk, update.pk, question.pk]),
            {"body": "Lot 24-118."},
        )
    assert response.status_code == 302
    page = client.get(update.get_absolute_url()).content.decode()
    assert (
        "Lot 24-118." in page and "Answered by Lena Hoffmann in" in page and "within the agreed time" in page
    )
    assert [m.to for m in mail.outbox][-1] == [sponsor_lead.email]


def test_empty_comment_comes_back_with_the_error(client, project, cdmo_pm, sponsor_lead):
    update = published_update(cdmo_pm, project)
    client.force_login(sponsor_lead)
    response = client.post(reverse("projects:update_comment", args=[project.pk, update.pk]), {"body": "  "})
    assert response.status_code == 200 and "Write something first." in response.content.decode()
    assert not UpdateComment.objects.exists()


def test_overdue_question_shows_red(client, project, cdmo_pm, sponsor_lead):
    import time_machine

    update = published_update(cdmo_pm, project)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=7)):
        services.comment_post(
            access=access(sponsor_lead, project), update=update, body="Lot?", kind="question"
        )
    client.force_login(sponsor_lead)
    body = client.get(update.get_absolute_url()).content.decode()
    assert "is-overdue" in body and "Overdue: the answer was due" in body


def test_superseded_revision_points_to_the_current_one_and_shows_changes(
    client, project, cdmo_pm, sponsor_lead
):
    original = published_update(cdmo_pm, project)
    pm = access(cdmo_pm, project)
    correction = services.update_correct(access=pm, update=original)
    correction = services.update_save_draft(
        access=pm,
        update=correction,
        version=correction.version,
        summary="Titre was 2.9 g/L.",
        correction_reason="Wrong titre",
    )
    correction = services.update_publish(access=pm, update=correction, version=correction.version)
    client.force_login(sponsor_lead)
    old_page = client.get(original.get_absolute_url()).content.decode()
    assert "This revision was corrected" in old_page and correction.get_absolute_url() in old_page
    new_page = client.get(correction.get_absolute_url()).content.decode()
    assert "What changed from revision 1" in new_page and "<ins>" in new_page and "Wrong titre" in new_page


# --- The draft form ------------------------------------------------------------------


def test_edit_form_publishes_and_redirects_to_the_record(
    client, project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    url = reverse("projects:update_edit", args=[project.pk, draft.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form_data(draft, action="publish"))
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == "published" and draft.next_steps[0]["description"] == "Start GMP-01"
    assert [m.to for m in mail.outbox] == [[sponsor_lead.email]]


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


def test_decision_rows_become_requests_on_publish(client, project, cdmo_pm, sponsor_lead):
    draft = ready_draft(cdmo_pm, project)
    client.force_login(cdmo_pm)
    needed_by = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    data = _form_data(draft, action="publish")
    data.update({"decisions-0-title": "Approve the resin change", "decisions-0-needed_by": needed_by})
    client.post(reverse("projects:update_edit", args=[project.pk, draft.pk]), data)
    decision = DecisionRequest.objects.get()
    client.force_login(sponsor_lead)
    overview = client.get(project.get_absolute_url()).content.decode()
    assert "Approve the resin change" in overview
    across = client.get(reverse("projects:decisions")).content.decode()
    assert "Approve the resin change" in across and project.code in across
    response = client.post(
        decision.get_absolute_url(), {"decision_note": "Approved at the steering committee."}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "decided"
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


# --- Attachments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("report.pdf", PDF, "pdf"), ("gel.png", PNG, "png"), ("plan.docx", _docx(), "docx")],
)
def test_attachments_are_accepted_by_name_and_content(client, project, cdmo_pm, name, content, kind):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:attachment_upload", args=[project.pk, draft.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    attachment = UpdateAttachment.objects.get()
    assert (
        attachment.file_type == kind
        and attachment.original_name == name
        and attachment.size_bytes == len(content)
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("payload.exe", b"MZ\x90\x00", "not a file type we accept"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "does not look like a real PDF"),
        ("fake.docx", b"PK\x03\x04not really a zip", "does not look like a real Word document"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_attachments_are_refused_when_name_or_content_is_wrong(
    client, project, cdmo_pm, name, content, message
):
    draft = services.update_start(access=access(cdmo_pm, project))
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:attachment_upload", args=[project.pk, draft.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in response.content.decode() or (
        message == "is empty" and "Choose a file" in response.content.decode()
    )
    assert not UpdateAttachment.objects.exists()


def test_attachments_over_the_size_limit_are_refused(project, cdmo_pm):
    draft = services.update_start(access=access(cdmo_pm, project))
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF)))
    with pytest.raises(services.ServiceError, match="larger than 20 MB"):
        services.attachment_add(access=access(cdmo_pm, project), update=draft, upload=big)


def test_attachment_download_is_a_nosniff_attachment_for_people_who_see_the_update(
    client, project, cdmo_pm, sponsor_lead, outsider, sponsor_member_off_team
):
    draft = ready_draft(cdmo_pm, project)
    attachment = services.attachment_add(
        access=access(cdmo_pm, project), update=draft, upload=SimpleUploadedFile("CoA batch 7.pdf", PDF)
    )
    url = attachment.get_absolute_url()
    client.force_login(sponsor_lead)
    assert client.get(url).status_code == 404  # still a draft: the sponsor does not see it
    services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "CoA batch 7.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    for stranger in (outsider, sponsor_member_off_team):
        client.force_login(stranger)
        assert client.get(url).status_code == 404


def test_attachments_of_a_published_update_are_frozen(project, cdmo_pm):
    from django.db import ProgrammingError, transaction

    draft = ready_draft(cdmo_pm, project)
    attachment = services.attachment_add(
        access=access(cdmo_pm, project), update=draft, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    update = services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    with pytest.raises(services.ServiceError):
        services.attachment_remove(access=access(cdmo_pm, project), attachment=attachment)
    with pytest.raises(services.ServiceError):
        services.attachment_add(
            access=access(cdmo_pm, project), update=update, upload=SimpleUploadedFile("b.pdf", PDF)
        )
    with pytest.raises(ProgrammingError), transaction.atomic():
        UpdateAttachment.objects.filter(pk=attachment.pk).update(removed_at=timezone.now())
    with pytest.raises(ProgrammingError), transaction.atomic():
        UpdateAttachment.objects.create(
            update=update,
            file="x.pdf",
            original_name="x.pdf",
            size_bytes=1,
            file_type="pdf",
            uploaded_by=cdmo_pm,
        )
