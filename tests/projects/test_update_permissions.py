"""Who may do what with status updates, as one table: each row is a person, each column an action.

Every cell is checked against the real service (allowed: it works; refused: NotAllowed),
and the reading rules against the real pages.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core.exceptions import NotAllowed
from projects import permissions, services
from projects.models import DecisionRequest
from projects.selectors import update_thread

from .update_helpers import access, published_update

pytestmark = pytest.mark.django_db

ACTIONS = ("draft", "publish", "correct", "acknowledge", "comment", "ask", "answer", "internal", "decide")

#            draft  publish correct ack    comment ask    answer internal decide  read drafts / see internal
TABLE = {
    "cdmo_pm": (True, True, True, False, True, False, True, True, False, True),
    "cdmo_admin": (True, True, True, False, True, False, True, True, False, True),
    "cdmo_sme": (False, False, False, False, True, False, True, True, False, True),
    "sponsor_lead": (False, False, False, True, True, True, False, False, True, False),
    "decision_maker": (False, False, False, True, True, True, False, False, True, False),
    "sponsor_exec": (False, False, False, True, True, True, False, False, False, False),
}


@pytest.fixture
def world(project, cdmo_pm, cdmo_admin, cdmo_sme, sponsor_lead, decision_maker, sponsor_exec):
    update = published_update(
        cdmo_pm,
        project,
        decisions_needed=[
            {
                "title": "Approve resin",
                "needed_by": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
                "source_decision": None,
            }
        ],
    )
    question = services.comment_post(
        access=access(sponsor_lead, project), update=update, body="?", kind="question"
    )
    return {"update": update, "question": question, "decision": DecisionRequest.objects.get(update=update)}


def _attempt(action, who, project, world):
    a = access(who, project)
    update = world["update"]
    if action == "draft":
        return services.update_start(access=a)
    if action == "publish":
        return services.update_publish(access=a, update=services.update_start(access=access_pm(project)))
    if action == "correct":
        return services.update_correct(access=a, update=update)
    if action == "acknowledge":
        return services.update_acknowledge(access=a, update=update)
    if action == "comment":
        return services.comment_post(access=a, update=update, body="A comment")
    if action == "ask":
        return services.comment_post(access=a, update=update, body="A question?", kind="question")
    if action == "answer":
        return services.question_answer(access=a, question=world["question"], body="An answer")
    if action == "internal":
        return services.comment_post(access=a, update=update, body="Internal", is_internal=True)
    if action == "decide":
        return services.decision_resolve(access=a, decision=world["decision"], note="Decided")
    raise AssertionError(action)


def access_pm(project):
    from projects.models import ProjectMember, TeamRole

    pm = ProjectMember.objects.get(project=project, role=TeamRole.PROJECT_MANAGER).user
    return access(pm, project)


@pytest.mark.parametrize("who", sorted(TABLE))
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_table(request, project, world, who, action):
    user = request.getfixturevalue(who)
    allowed = TABLE[who][ACTIONS.index(action)]
    if allowed:
        try:
            _attempt(action, user, project, world)
        except NotAllowed as refused:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{who} should be allowed to {action}: {refused}")
        except services.UpdateNotReady:
            assert action == "publish"  # allowed through the door; the empty draft is simply incomplete
    else:
        with pytest.raises(NotAllowed):
            _attempt(action, user, project, world)


@pytest.mark.parametrize("who", sorted(TABLE))
def test_reading_drafts_and_internal_notes(request, client, project, world, who, cdmo_pm):
    user = request.getfixturevalue(who)
    sees_cdmo_side = TABLE[who][-1]
    assert permissions.can_read_drafts(access(user, project)) is sees_cdmo_side
    draft = services.update_start(access=access(cdmo_pm, project))
    services.comment_post(
        access=access(cdmo_pm, project), update=world["update"], body="INTERNAL-NOTE-42", is_internal=True
    )
    client.force_login(user)
    draft_page = client.get(reverse("projects:update", args=[project.pk, draft.pk]))
    assert draft_page.status_code == (200 if sees_cdmo_side else 404)
    page = client.get(world["update"].get_absolute_url()).content.decode()
    assert ("INTERNAL-NOTE-42" in page) is sees_cdmo_side
    thread = update_thread(access=access(user, project), update=world["update"])
    assert any(c.body == "INTERNAL-NOTE-42" for c in thread) is sees_cdmo_side


def test_everyone_who_sees_the_project_reads_published_updates(
    client, project, world, sponsor_member_off_team, outsider, sponsor_lead
):
    url = world["update"].get_absolute_url()
    client.force_login(sponsor_lead)
    assert client.get(url).status_code == 200
    for stranger in (sponsor_member_off_team, outsider):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(reverse("projects:updates", args=[project.pk])).status_code == 404


def test_role_refusals_answer_403_to_people_who_see_the_project(
    client, project, world, sponsor_lead, cdmo_sme
):
    update = world["update"]
    client.force_login(sponsor_lead)
    assert client.post(reverse("projects:update_start", args=[project.pk])).status_code == 403
    assert client.post(reverse("projects:update_correct", args=[project.pk, update.pk])).status_code == 403
    assert client.get(reverse("projects:update_edit", args=[project.pk, update.pk])).status_code == 403
    answer_url = reverse("projects:question_answer", args=[project.pk, update.pk, world["question"].pk])
    assert client.post(answer_url, {"body": "me"}).status_code == 403
    client.force_login(cdmo_sme)
    assert client.post(world["decision"].get_absolute_url(), {"decision_note": "x"}).status_code == 403
