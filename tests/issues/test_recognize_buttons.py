"""The sponsor's "Recognize" button on an update, each answer and a meeting (portal.core.actions).

The pages belong to projects and meetings, which never import issues: issues offers the action
from its `ready()`, and the pages list what is offered for the viewer.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from issues.models import Recognition
from meetings.models import MeetingStatus
from portal.core.actions import actions_for
from portal.notifications.models import Notification
from tests.factories.meetings import MeetingFactory, held_meeting
from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory

from .conftest import access

BUTTON = re.compile(r'<a class="btn btn-small object-action" href="([^"]+)">')


@pytest.fixture
def published(project, team):
    return StatusUpdateFactory(project=project, created_by=team["pm"], published=True, title="Week 12")


@pytest.fixture
def answer(published, team):
    question = UpdateCommentFactory(update=published, author=team["lead"], kind="question", body="Why?")
    return UpdateCommentFactory(update=published, author=team["sme"], kind="answer", parent=question)


@pytest.fixture
def meeting(project, team):
    return held_meeting(project, status=MeetingStatus.CONFIRMED, title="Steering committee")


def buttons(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [href.replace("&amp;", "&") for href in BUTTON.findall(response.content.decode())]


def kudos(project, label, pk):
    return reverse("issues:kudos", kwargs={"project_id": project.pk}) + f"?target={label}:{pk}"


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["update", "answer", "meeting"])
def test_the_sponsor_lead_recognizes_from_the_page_itself(
    subject, client, project, team, published, answer, meeting, django_capture_on_commit_callbacks
):
    obj, label, page, name = {
        "update": (
            published,
            "projects.statusupdate",
            published.get_absolute_url(),
            "Status update: Week 12",
        ),
        "answer": (
            answer,
            "projects.updatecomment",
            published.get_absolute_url(),
            f"Answer by {team['sme']}",
        ),
        "meeting": (meeting, "meetings.meeting", meeting.get_absolute_url(), "Meeting: Steering committee"),
    }[subject]
    client.force_login(team["lead"])
    expected = kudos(project, label, obj.pk)
    assert expected in buttons(client, page)
    assert f"this {subject}</span>" in client.get(page).content.decode()  # named for screen readers

    form = client.get(expected)
    assert form.status_code == 200 and name in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(expected, {"note": "Thank you, this was excellent.", "recipient": ""})
    assert response.status_code == 302 and response["Location"] == page
    given = Recognition.objects.get()
    assert (given.target, given.given_by, given.project) == (obj, team["lead"], project)
    assert given.target_label.startswith(name) and "Answer: Answer" not in given.target_label
    told = Notification.objects.filter(recipient=team["pm"])
    assert [n.category_label for n in told] == ["Recognition"]
    assert mail.outbox and all("Answer: Answer" not in m.body for m in mail.outbox)

    client.force_login(team["pm"])
    received = client.get(reverse("issues:recognition")).content.decode()
    assert name in received and "Service issue:" not in received


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["pm", "sme"])
def test_the_cdmo_team_sees_no_recognize_button(who, client, team, published, answer, meeting):
    client.force_login(team[who])
    for page in (
        published.get_absolute_url(),
        meeting.get_absolute_url(),
        published.project.get_absolute_url(),
    ):
        assert buttons(client, page) == [], page


@pytest.mark.django_db
def test_an_outsider_reaches_neither_the_pages_nor_the_form(client, outsider, project, published, meeting):
    client.force_login(outsider)
    for url in (
        published.get_absolute_url(),
        meeting.get_absolute_url(),
        kudos(project, "meetings.meeting", meeting.pk),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_updates_list_offers_recognition_on_published_updates_only(client, project, team, published):
    StatusUpdateFactory(project=project, created_by=team["pm"])  # a draft: the sponsor never sees it
    client.force_login(team["lead"])
    hrefs = buttons(client, reverse("projects:updates", kwargs={"project_id": project.pk}))
    assert hrefs == [kudos(project, "projects.statusupdate", published.pk)]


@pytest.mark.django_db
def test_questions_comments_and_meetings_yet_to_happen_are_not_offered(project, team, published):
    lead = access(team["lead"], project)
    question = UpdateCommentFactory(update=published, author=team["lead"], kind="question")
    comment = UpdateCommentFactory(update=published, author=team["lead"], kind="comment")
    upcoming = MeetingFactory(project=project)
    assert upcoming.is_scheduled
    for obj in (question, comment, upcoming):
        assert actions_for(obj, lead) == [], obj
    assert actions_for(published, access(team["pm"], project)) == []
    assert [a.label for a in actions_for(published, lead)] == ["Recognize"]


@pytest.mark.django_db
def test_a_meeting_yet_to_happen_cannot_be_recognized_by_url(client, project, team):
    upcoming = MeetingFactory(project=project)
    client.force_login(team["lead"])
    url = kudos(project, "meetings.meeting", upcoming.pk)
    page = client.get(url).content.decode()
    assert "once it has taken place" in page
    client.post(url, {"note": "Early thanks"})
    assert not Recognition.objects.exists()
