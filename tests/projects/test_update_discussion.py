"""Status updates through the services: questions, answers, internal notes and decisions."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, ProgrammingError, transaction

from portal.core.exceptions import NotAllowed, ServiceError
from projects import services
from projects.models import (
    DecisionRequest,
    Project,
    UpdateComment,
)
from projects.selectors import (
    decisions_for_user,
    update_thread,
    updates_for_project,
)

from .update_helpers import access, in_future, published_update

pytestmark = pytest.mark.django_db


# --- Questions, answers, internal notes -----------------------------------------


def test_a_sponsor_question_gets_the_agreed_business_day_clock(
    project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    project.question_response_days = 2
    project.save()
    update = published_update(cdmo_pm, project)
    mail.outbox.clear()
    # Friday 15:00 in Berlin (the CDMO's site): two business days later is Tuesday 15:00.
    friday = datetime.datetime(2026, 3, 13, 14, 0, tzinfo=datetime.UTC)
    with time_machine.travel(friday, tick=False), django_capture_on_commit_callbacks(execute=True):
        question = services.comment_post(
            access=access(sponsor_lead, project), update=update, body="Which resin lot?", kind="question"
        )
    assert question.respond_by == datetime.datetime(2026, 3, 17, 14, 0, tzinfo=datetime.UTC)
    assert [m.to for m in mail.outbox] == [[cdmo_pm.email]]
    assert "Which resin lot?" in mail.outbox[0].body
    with time_machine.travel(datetime.datetime(2026, 3, 17, 15, 0, tzinfo=datetime.UTC), tick=False):
        assert question.is_overdue()


def test_answering_stops_the_clock_once_and_tells_the_asker(
    project, cdmo_pm, cdmo_sme, sponsor_lead, django_capture_on_commit_callbacks
):
    update = published_update(cdmo_pm, project)
    asked = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(asked, tick=False):
        question = services.comment_post(
            access=access(sponsor_lead, project), update=update, body="Lot?", kind="question"
        )
    mail.outbox.clear()
    with time_machine.travel(asked + datetime.timedelta(hours=3, minutes=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.question_answer(access=access(cdmo_sme, project), question=question, body="Lot 24-118.")
    with time_machine.travel(asked + datetime.timedelta(days=1), tick=False):
        services.question_answer(
            access=access(cdmo_pm, project), question=question, body="Reserved until June."
        )
    question.refresh_from_db()
    assert question.answered_by == cdmo_sme
    assert question.answer_time == datetime.timedelta(hours=3, minutes=20)
    assert question.answered_in_time is True
    assert [a.body for a in question.answers.order_by("pk")] == ["Lot 24-118.", "Reserved until June."]
    assert mail.outbox[0].to == [sponsor_lead.email] and "Lot 24-118." in mail.outbox[0].body


def test_only_the_sponsor_asks_questions_and_only_the_cdmo_answers(project, cdmo_pm, sponsor_lead):
    update = published_update(cdmo_pm, project)
    with pytest.raises(NotAllowed):
        services.comment_post(access=access(cdmo_pm, project), update=update, body="?", kind="question")
    question = services.comment_post(
        access=access(sponsor_lead, project), update=update, body="?", kind="question"
    )
    with pytest.raises(NotAllowed):
        services.question_answer(
            access=access(sponsor_lead, project), question=question, body="Answering myself"
        )


def test_internal_notes_never_reach_the_sponsor(project, cdmo_pm, sponsor_lead, decision_maker):
    update = published_update(cdmo_pm, project)
    services.comment_post(access=access(sponsor_lead, project), update=update, body="Looks good")
    note = services.comment_post(
        access=access(cdmo_pm, project), update=update, body="Internal: QC backlog", is_internal=True
    )
    sponsor_thread = update_thread(access=access(sponsor_lead, project), update=update)
    cdmo_thread = update_thread(access=access(cdmo_pm, project), update=update)
    assert [c.body for c in sponsor_thread] == ["Looks good"]
    assert note in cdmo_thread
    with pytest.raises(NotAllowed):
        services.comment_post(access=access(sponsor_lead, project), update=update, body="x", is_internal=True)
    # Sponsor-side counts ignore it too.
    row = updates_for_project(access=access(decision_maker, project)).get(pk=update.pk)
    assert row.comment_count == 1


def test_comments_only_on_the_current_published_revision(project, cdmo_pm, sponsor_lead):
    draft = services.update_start(access=access(cdmo_pm, project))
    with pytest.raises(ServiceError):
        services.comment_post(access=access(cdmo_pm, project), update=draft, body="On a draft?")
    with pytest.raises(IntegrityError), transaction.atomic():
        UpdateComment.objects.create(update=draft, author=sponsor_lead, kind="question", body="No clock")


# --- Decisions ------------------------------------------------------------------


def test_the_decision_maker_records_a_decision_once(
    project, cdmo_pm, decision_maker, sponsor_lead, django_capture_on_commit_callbacks
):
    update = published_update(
        cdmo_pm,
        project,
        decisions_needed=[{"title": "Approve resin", "needed_by": in_future(3), "source_decision": None}],
    )
    decision = DecisionRequest.objects.get(update=update)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_resolve(access=access(decision_maker, project), decision=decision, note="Approved.")
    assert decision.status == "decided" and decision.decided_by == decision_maker
    assert [m.to for m in mail.outbox] == [[cdmo_pm.email]]
    with pytest.raises(ServiceError, match="already recorded"):
        services.decision_resolve(access=access(sponsor_lead, project), decision=decision, note="Rejected.")
    with pytest.raises(ProgrammingError), transaction.atomic():
        DecisionRequest.objects.filter(pk=decision.pk).update(decision_note="Rejected.")
    assert decisions_for_user(user=sponsor_lead).count() == 0
    assert decisions_for_user(user=sponsor_lead, include_decided=True).count() == 1


def test_a_decision_needs_a_note(project, cdmo_pm, sponsor_lead):
    update = published_update(
        cdmo_pm,
        project,
        decisions_needed=[{"title": "Approve resin", "needed_by": in_future(3), "source_decision": None}],
    )
    with pytest.raises(ServiceError, match="what was decided"):
        services.decision_resolve(
            access=access(sponsor_lead, project),
            decision=DecisionRequest.objects.get(update=update),
            note=" ",
        )


def test_decisions_list_spans_only_visible_projects(project, cdmo_pm, sponsor_lead, outsider):
    published_update(
        cdmo_pm,
        project,
        decisions_needed=[{"title": "Approve resin", "needed_by": in_future(3), "source_decision": None}],
    )
    assert decisions_for_user(user=sponsor_lead).count() == 1
    assert decisions_for_user(user=outsider).count() == 0
    assert Project.objects.count() == 2
