"""The status-update pages: the Updates tab and the update page (acknowledge, discuss, corrections)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import (
    UpdateAcknowledgement,
    UpdateComment,
)

from .update_helpers import access, published_update, ready_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


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
    with django_assert_max_num_queries(13) as one:
        client.get(url)
    for number in range(12):
        update = published_update(cdmo_pm, project, title=f"Week {number}")
        services.update_acknowledge(access=access(sponsor_lead, project), update=update)
        services.comment_post(access=access(sponsor_lead, project), update=update, body="?", kind="question")
    with django_assert_max_num_queries(13) as many:
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
    with django_assert_max_num_queries(17) as few:
        client.get(update.get_absolute_url())
    for number in range(8):
        question = services.comment_post(
            access=access(decision_maker, project), update=update, body=f"Q{number}", kind="question"
        )
        services.question_answer(access=access(cdmo_pm, project), question=question, body=f"A{number}")
    services.update_acknowledge(access=access(decision_maker, project), update=update)
    with django_assert_max_num_queries(17) as many:
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
