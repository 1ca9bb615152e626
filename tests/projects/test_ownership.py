"""Every projects service refuses an object of another project than the one it was handed.

A crafted id (a milestone, update, attachment, comment, decision or team member of a project the
person may even see) passed with the access of their own project is refused with NotAllowed (403),
and nothing is written.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core.exceptions import NotAllowed
from projects import services
from projects.models import (
    AttachmentType,
    CommentKind,
    DecisionRequest,
    Milestone,
    ProjectMember,
    StatusUpdate,
    TeamRole,
    UpdateAttachment,
    UpdateComment,
    UpdateStatus,
)
from tests.factories.projects import ProjectFactory, StatusUpdateFactory, populate_project, staff_project

from .update_helpers import access

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

BELONGS = "belongs to another project"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def other(project):
    """Another project of the same CDMO, with one of everything, and a draft with a file."""
    other = populate_project(staff_project(ProjectFactory(cdmo=project.cdmo, code="OTH-777")))
    draft = StatusUpdateFactory(project=other)
    UpdateAttachment.objects.create(
        update=draft,
        file=f"updates/{other.pk}/example/draft.pdf",
        original_name="draft.pdf",
        size_bytes=1024,
        file_type=AttachmentType.PDF,
        uploaded_by=draft.created_by,
    )
    return other


def _published(other):
    return StatusUpdate.objects.get(project=other, status=UpdateStatus.PUBLISHED)


def _draft(other):
    return StatusUpdate.objects.get(project=other, status=UpdateStatus.DRAFT)


def test_team_services_refuse_a_member_of_another_project(project, cdmo_pm, other):
    member = ProjectMember.objects.get(project=other, role=TeamRole.SME)
    mine = access(cdmo_pm, project)
    with pytest.raises(NotAllowed, match=BELONGS):
        services.team_member_change(
            access=mine, member=member, role=TeamRole.CDMO_MEMBER, is_point_of_contact=False
        )
    with pytest.raises(NotAllowed, match=BELONGS):
        services.team_member_remove(access=mine, member=member, confirmed=True)
    member.refresh_from_db()
    assert member.role == TeamRole.SME
    assert member.removed_at is None


def test_milestone_services_refuse_a_milestone_of_another_project(project, cdmo_pm, other):
    milestone = Milestone.objects.get(project=other)
    mine = access(cdmo_pm, project)
    later = milestone.forecast_date + datetime.timedelta(days=7)
    calls = [
        lambda: services.milestone_update(
            access=mine, milestone=milestone, version=milestone.version, title="Renamed"
        ),
        lambda: services.milestone_set_status(
            access=mine, milestone=milestone, status="at_risk", version=milestone.version
        ),
        lambda: services.milestone_change_forecast(
            access=mine, milestone=milestone, new_date=later, reason="Slipped", version=milestone.version
        ),
        lambda: services.milestone_edit(
            access=mine,
            milestone=milestone,
            version=milestone.version,
            status="at_risk",
            forecast_date=later,
            reason="Slipped",
        ),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match=BELONGS):
            call()
    current = Milestone.objects.get(pk=milestone.pk)
    assert (current.version, current.title, current.forecast_date) == (
        milestone.version,
        milestone.title,
        milestone.forecast_date,
    )


def test_update_services_refuse_an_update_of_another_project(project, cdmo_pm, sponsor_lead, other):
    draft, published = _draft(other), _published(other)
    pm, lead = access(cdmo_pm, project), access(sponsor_lead, project)
    calls = [
        lambda: services.update_save_draft(access=pm, update=draft, version=draft.version, title="Mine now"),
        lambda: services.update_publish(access=pm, update=draft, version=draft.version),
        lambda: services.update_discard(access=pm, update=draft),
        lambda: services.update_correct(access=pm, update=published),
        lambda: services.update_acknowledge(access=lead, update=published),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match=BELONGS):
            call()
    current = StatusUpdate.objects.get(pk=draft.pk)
    assert (current.status, current.version, current.title) == (
        UpdateStatus.DRAFT,
        draft.version,
        draft.title,
    )
    assert not StatusUpdate.objects.filter(revision_of=published).exists()
    assert not published.acknowledgements.filter(user=sponsor_lead).exists()


def test_attachment_services_refuse_an_update_or_file_of_another_project(project, cdmo_pm, other):
    draft = _draft(other)
    attachment = draft.attachments.get()
    mine = access(cdmo_pm, project)
    with pytest.raises(NotAllowed, match=BELONGS):
        services.attachment_add(access=mine, update=draft, upload=SimpleUploadedFile("mine.pdf", PDF))
    with pytest.raises(NotAllowed, match=BELONGS):
        services.attachment_remove(access=mine, attachment=attachment)
    assert list(draft.attachments.values_list("original_name", "removed_at")) == [("draft.pdf", None)]


def test_discussion_services_refuse_an_update_or_question_of_another_project(
    project, cdmo_pm, sponsor_lead, other
):
    published = _published(other)
    question = UpdateComment.objects.get(update=published, kind=CommentKind.QUESTION)
    before = UpdateComment.objects.count()
    with pytest.raises(NotAllowed, match=BELONGS):
        services.comment_post(
            access=access(sponsor_lead, project), update=published, body="Hello", kind=CommentKind.QUESTION
        )
    with pytest.raises(NotAllowed, match=BELONGS):
        services.question_answer(access=access(cdmo_pm, project), question=question, body="Not yours")
    assert UpdateComment.objects.count() == before


def test_decision_service_refuses_a_decision_of_another_project(project, sponsor_lead, other):
    decision = DecisionRequest.objects.get(project=other)
    with pytest.raises(NotAllowed, match=BELONGS):
        services.decision_resolve(access=access(sponsor_lead, project), decision=decision, note="Approved")
    decision.refresh_from_db()
    assert decision.is_open
