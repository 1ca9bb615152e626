"""Structured status updates, through the services: draft, publish, correct, acknowledge."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from projects import services
from projects.diffing import update_changes
from projects.models import (
    DecisionRequest,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateStatus,
)
from projects.selectors import (
    decisions_for_user,
    updates_for_project,
)

from .update_helpers import access, in_future, published_update, ready_draft

pytestmark = pytest.mark.django_db


# --- Drafting -----------------------------------------------------------------


def test_first_draft_covers_one_cadence_period(project, cdmo_pm):
    project.update_cadence_days = 14
    project.save()
    draft = services.update_start(access=access(cdmo_pm, project))
    today = timezone.localdate()
    assert draft.status == UpdateStatus.DRAFT
    assert (draft.period_start, draft.period_end) == (today - datetime.timedelta(days=13), today)


def test_next_draft_follows_the_last_update_and_carries_statuses_and_risks(project, cdmo_pm):
    first = published_update(cdmo_pm, project, budget_rag="amber", risks="Resin lead time")
    StatusUpdate.objects.filter(pk=first.pk)  # published: the next draft starts the day after it ends
    draft = services.update_start(access=access(cdmo_pm, project))
    assert draft.pk != first.pk
    assert draft.period_start == min(first.period_end + datetime.timedelta(days=1), timezone.localdate())
    assert draft.budget_rag == "amber" and draft.risks == "Resin lead time"
    assert draft.title == "" and draft.summary == "" and draft.next_steps == []


def test_starting_twice_returns_the_same_draft(project, cdmo_pm):
    pm = access(cdmo_pm, project)
    assert services.update_start(access=pm).pk == services.update_start(access=pm).pk
    assert StatusUpdate.objects.filter(project=project).count() == 1


def test_saving_a_draft_with_a_stale_version_from_someone_else_is_refused(project, cdmo_pm, cdmo_admin):
    draft = services.update_start(access=access(cdmo_pm, project))
    services.update_save_draft(
        access=access(cdmo_pm, project), update=draft, version=draft.version, summary="Mine"
    )
    with pytest.raises(ConcurrentEditError):
        services.update_save_draft(
            access=access(cdmo_admin, project), update=draft, version=1, summary="Theirs"
        )
    assert StatusUpdate.objects.get(pk=draft.pk).summary == "Mine"


def test_a_save_racing_the_same_persons_autosave_is_not_a_conflict(project, cdmo_pm):
    pm = access(cdmo_pm, project)
    draft = services.update_start(access=pm)
    services.update_save_draft(access=pm, update=draft, version=1, summary="autosaved")  # now version 2
    saved = services.update_save_draft(access=pm, update=draft, version=1, summary="explicit save")
    assert saved.summary == "explicit save" and saved.version == 3


# --- Publishing ---------------------------------------------------------------


def test_publishing_emails_the_sponsor_team_and_sets_the_next_due_date(
    project, cdmo_pm, sponsor_lead, decision_maker, cdmo_sme, django_capture_on_commit_callbacks
):
    draft = ready_draft(cdmo_pm, project)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            update = services.update_publish(
                access=access(cdmo_pm, project), update=draft, version=draft.version
            )
    assert update.status == UpdateStatus.PUBLISHED and update.published_by == cdmo_pm
    project.refresh_from_db()
    assert project.next_update_due == datetime.date(2026, 3, 17)
    assert project.last_update_published_at == update.published_at
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sponsor_lead.email, decision_maker.email])
    message = mail.outbox[0]
    assert "ACM-101" in message.subject and "EB-02 complete" in message.subject
    assert f"/projects/{project.pk}/updates/{update.pk}/" in message.body
    html = message.alternatives[0][0]
    assert (
        "Read and acknowledge the update" in html and f"/projects/{project.pk}/updates/{update.pk}/" in html
    )


def test_an_incomplete_draft_cannot_be_published(project, cdmo_pm):
    draft = services.update_start(access=access(cdmo_pm, project))
    draft = services.update_save_draft(
        access=access(cdmo_pm, project),
        update=draft,
        version=draft.version,
        overall_rag="",
        next_steps=[{"description": "Harvest", "due": None}],
        decisions_needed=[{"title": "Approve resin", "needed_by": "2020-01-01", "source_decision": None}],
    )
    with pytest.raises(services.UpdateNotReady) as refused:
        services.update_publish(access=access(cdmo_pm, project), update=draft, version=draft.version)
    problems = refused.value.problems
    assert {"title", "overall_rag", "summary", "progress", "next_steps", "decisions_needed"} <= set(problems)
    assert "in the past" in problems["decisions_needed"]
    assert StatusUpdate.objects.get(pk=draft.pk).status == UpdateStatus.DRAFT


def test_published_update_cannot_be_edited(project, cdmo_pm):
    update = published_update(cdmo_pm, project)
    with pytest.raises(ServiceError, match="record and cannot be edited"):
        services.update_save_draft(
            access=access(cdmo_pm, project), update=update, version=update.version, summary="Rewritten"
        )
    assert StatusUpdate.objects.get(pk=update.pk).summary.startswith("Engineering batch EB-02")


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "Silently rewritten"},
        {"overall_rag": "red"},
        {"next_steps": []},
        {"published_at": None},
        {"status": "draft"},
    ],
)
def test_the_database_refuses_to_rewrite_a_published_update(project, cdmo_pm, change):
    update = published_update(cdmo_pm, project)
    with pytest.raises((ProgrammingError, IntegrityError)), transaction.atomic():
        StatusUpdate.objects.filter(pk=update.pk).update(**change)
    with pytest.raises(ProgrammingError), transaction.atomic():
        StatusUpdate.objects.filter(pk=update.pk).delete()


def test_decisions_needed_become_requests_the_sponsor_sees(project, cdmo_pm, sponsor_lead):
    update = published_update(
        cdmo_pm,
        project,
        decisions_needed=[
            {"title": "Approve the alternative resin", "needed_by": in_future(5), "source_decision": None}
        ],
    )
    decision = DecisionRequest.objects.get(update=update)
    assert decision.status == "open" and decision.title == "Approve the alternative resin"
    assert update.decisions_needed[0]["decision_id"] == decision.pk
    assert list(decisions_for_user(user=sponsor_lead)) == [decision]
    with pytest.raises(ProgrammingError), transaction.atomic():
        DecisionRequest.objects.filter(pk=decision.pk).update(title="Something else")


# --- Corrections --------------------------------------------------------------


def test_a_correction_is_a_new_revision_that_supersedes_and_shows_what_changed(
    project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    original = published_update(cdmo_pm, project)
    pm = access(cdmo_pm, project)
    correction = services.update_correct(access=pm, update=original)
    assert (correction.revision_of, correction.original, correction.revision_number) == (
        original,
        original,
        2,
    )
    assert correction.status == UpdateStatus.DRAFT and correction.summary == original.summary
    assert (
        StatusUpdate.objects.get(pk=original.pk).status == UpdateStatus.PUBLISHED
    )  # untouched until published
    correction = services.update_save_draft(
        access=pm,
        update=correction,
        version=correction.version,
        summary=original.summary.replace("3.1 g/L", "2.9 g/L"),
        budget_rag="green",
        correction_reason="The titre included the wash fraction.",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.update_publish(access=pm, update=correction, version=correction.version)
    original.refresh_from_db()
    assert original.status == UpdateStatus.SUPERSEDED and original.superseded_at is not None
    changes = {c.label: c for c in update_changes(original, correction)}
    assert set(changes) == {"Summary", "Budget"}
    assert ("removed", "3.1") in [(s.op, s.text) for s in changes["Summary"].segments]
    assert ("added", "2.9") in [(s.op, s.text) for s in changes["Summary"].segments]
    assert (changes["Budget"].before, changes["Budget"].after) == ("Amber", "Green")
    assert mail.outbox and "Corrected" in mail.outbox[0].subject
    assert "The titre included the wash fraction." in mail.outbox[0].body
    # The sponsor's list shows the current revision only.
    listed = list(updates_for_project(access=access(sponsor_lead, project)))
    assert listed == [correction]


def test_a_correction_needs_a_reason(project, cdmo_pm):
    original = published_update(cdmo_pm, project)
    correction = services.update_correct(access=access(cdmo_pm, project), update=original)
    with pytest.raises(services.UpdateNotReady) as refused:
        services.update_publish(
            access=access(cdmo_pm, project), update=correction, version=correction.version
        )
    assert "correction_reason" in refused.value.problems


def test_only_the_latest_revision_can_be_corrected(project, cdmo_pm):
    pm = access(cdmo_pm, project)
    original = published_update(cdmo_pm, project)
    correction = services.update_correct(access=pm, update=original)
    assert services.update_correct(access=pm, update=original).pk == correction.pk  # one correction at a time
    correction = services.update_save_draft(
        access=pm, update=correction, version=correction.version, correction_reason="Typo"
    )
    services.update_publish(access=pm, update=correction, version=correction.version)
    original.refresh_from_db()
    with pytest.raises(ServiceError, match="correct the latest revision"):
        services.update_correct(access=pm, update=original)


def test_a_correction_keeps_unchanged_decisions_and_withdraws_changed_ones(project, cdmo_pm):
    pm = access(cdmo_pm, project)
    original = published_update(
        cdmo_pm,
        project,
        decisions_needed=[
            {"title": "Approve resin", "needed_by": in_future(5), "source_decision": None},
            {"title": "Confirm batch size", "needed_by": in_future(9), "source_decision": None},
        ],
    )
    kept, changed = DecisionRequest.objects.filter(update=original).order_by("pk")
    correction = services.update_correct(access=pm, update=original)
    items = correction.decisions_needed
    assert [i["source_decision"] for i in items] == [kept.pk, changed.pk]
    items[1] = {**items[1], "title": "Confirm batch size: 12 kg"}
    correction = services.update_save_draft(
        access=pm,
        update=correction,
        version=correction.version,
        decisions_needed=items,
        correction_reason="Size",
    )
    correction = services.update_publish(access=pm, update=correction, version=correction.version)
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert kept.status == "open"
    assert changed.status == "withdrawn" and "revision 2" in changed.withdrawn_reason
    replacement = DecisionRequest.objects.get(update=correction)
    assert replacement.title == "Confirm batch size: 12 kg" and replacement.replaces == changed
    assert [i["decision_id"] for i in correction.decisions_needed] == [kept.pk, replacement.pk]


def test_discarded_draft_is_kept_but_gone_from_the_list(project, cdmo_pm):
    pm = access(cdmo_pm, project)
    draft = services.update_start(access=pm)
    services.update_discard(access=pm, update=draft)
    assert StatusUpdate.objects.get(pk=draft.pk).status == UpdateStatus.DISCARDED
    assert list(updates_for_project(access=pm)) == []
    assert services.update_start(access=pm).pk != draft.pk  # a fresh draft can start


def test_drafts_are_invisible_to_the_sponsor(project, cdmo_pm, sponsor_lead):
    draft = services.update_start(access=access(cdmo_pm, project))
    assert list(updates_for_project(access=access(cdmo_pm, project))) == [draft]
    assert list(updates_for_project(access=access(sponsor_lead, project))) == []


# --- Acknowledgements ---------------------------------------------------------


def test_acknowledging_is_idempotent(project, cdmo_pm, sponsor_lead):
    update = published_update(cdmo_pm, project)
    first = services.update_acknowledge(access=access(sponsor_lead, project), update=update)
    again = services.update_acknowledge(access=access(sponsor_lead, project), update=update)
    assert first.pk == again.pk
    assert UpdateAcknowledgement.objects.filter(update=update).count() == 1


def test_the_cdmo_does_not_acknowledge_its_own_update(project, cdmo_pm):
    update = published_update(cdmo_pm, project)
    with pytest.raises(NotAllowed):
        services.update_acknowledge(access=access(cdmo_pm, project), update=update)
