"""Recognition: the generic kudos endpoint, its rules, and where the CDMO team sees it."""

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse

from issues import recognition as registry
from issues import services
from issues.models import EventKind, IssueEvent, IssueStatus, Recognition
from issues.recognition import TargetNotFound, kudos_url, resolve_target
from tests.factories.projects import ProjectFactory

from .conftest import access, drive


@pytest.fixture
def resolved(raise_issue, team, project):
    return drive(raise_issue(title="Late CoA"), IssueStatus.RESOLVED, team, project)


def kudos(project, obj):
    return (
        reverse("issues:kudos", kwargs={"project_id": project.pk}) + f"?target=issues.serviceissue:{obj.pk}"
    )


@pytest.mark.django_db
def test_kudos_url_is_the_documented_endpoint(resolved, project):
    assert (
        kudos_url(resolved) == f"/projects/{project.pk}/kudos/new/?target=issues.serviceissue:{resolved.pk}"
    )


@pytest.mark.django_db
def test_sponsor_recognizes_a_resolution(client, resolved, project, team, django_capture_on_commit_callbacks):
    client.force_login(team["lead"])
    url = kudos(project, resolved)
    page = client.get(url).content.decode()
    assert "Resolution of a service issue" in page and "Late CoA" in page
    # The plan owner is suggested as the person who earned it.
    assert f'<option value="{team["sme"].pk}" selected>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Fixed in a day. Thank you!", "recipient": team["sme"].pk})
    assert response.status_code == 302 and response["Location"] == resolved.get_absolute_url()
    given = Recognition.objects.get()
    assert (given.given_by, given.recipient, given.project, given.target) == (
        team["lead"],
        team["sme"],
        project,
        resolved,
    )
    assert IssueEvent.objects.filter(issue=resolved, kind=EventKind.RECOGNIZED).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([team["sme"].email, team["pm"].email])
    assert "Fixed in a day. Thank you!" in mail.outbox[0].body


@pytest.mark.django_db
def test_the_cdmo_team_sees_recognition_on_the_project_and_on_their_page(client, resolved, project, team):
    services.recognition_give(
        access=access(team["lead"], project),
        target=resolve_target(f"issues.serviceissue:{resolved.pk}", access=access(team["lead"], project)),
        note="Superb turnaround.",
        recipient=team["sme"],
    )
    client.force_login(team["pm"])
    tab = client.get(reverse("issues:project_issues", kwargs={"project_id": project.pk})).content.decode()
    assert "Superb turnaround." in tab
    page = client.get(reverse("issues:recognition")).content.decode()
    assert "Recognition received" in page and "Superb turnaround." in page
    assert "Superb turnaround." not in client.get(reverse("issues:recognition") + "?mine=1").content.decode()
    client.force_login(team["sme"])
    mine = client.get(reverse("issues:recognition") + "?mine=1").content.decode()
    assert "Superb turnaround." in mine and "For you (1)" in mine


@pytest.mark.django_db
def test_a_cdmo_persons_profile_shows_recognition_they_or_their_team_earned(
    client, resolved, project, team, cdmo_admin
):
    target = resolve_target(f"issues.serviceissue:{resolved.pk}", access=access(team["lead"], project))
    services.recognition_give(
        access=access(team["lead"], project), target=target, note="Superb turnaround.", recipient=team["sme"]
    )
    services.recognition_give(
        access=access(team["dm"], project), target=target, note="Thank you, all of you.", recipient=None
    )
    profile = reverse("accounts:profile")

    client.force_login(team["sme"])  # named in one, on the team thanked in the other
    page = client.get(profile).content.decode()
    assert "Superb turnaround." in page and "Thank you, all of you." in page and "2 thank-yous" in page

    client.force_login(team["pm"])  # on the team, not named
    page = client.get(profile).content.decode()
    assert "Thank you, all of you." in page and "Superb turnaround." not in page

    client.force_login(cdmo_admin)  # same CDMO, not on this project's team
    page = client.get(profile).content.decode()
    assert "Recognition" in page and "Thank you, all of you." not in page

    client.force_login(team["lead"])  # the sponsor gives recognition; their profile has no such card
    assert "thank-you" not in client.get(profile).content.decode()


@pytest.mark.django_db
def test_only_the_sponsor_gives_recognition(client, resolved, project, team, cdmo_admin):
    for user in (team["pm"], cdmo_admin):
        client.force_login(user)
        assert client.get(kudos(project, resolved)).status_code == 403
        assert client.post(kudos(project, resolved), {"note": "Self-praise"}).status_code == 403
    assert not Recognition.objects.exists()


@pytest.mark.django_db
def test_target_must_belong_to_the_project(client, resolved, project, team, outsider):
    other = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo)
    client.force_login(team["lead"])
    # A real issue, addressed through another project's URL: not found.
    wrong = (
        reverse("issues:kudos", kwargs={"project_id": other.pk})
        + f"?target=issues.serviceissue:{resolved.pk}"
    )
    assert client.get(wrong).status_code == 404
    client.force_login(outsider)
    assert client.get(kudos(project, resolved)).status_code == 404
    with pytest.raises(TargetNotFound):
        resolve_target(f"issues.serviceissue:{resolved.pk}", access=access(team["lead"], other))


@pytest.mark.django_db
def test_unknown_or_unbuilt_targets_are_not_found(project, resolved, team, monkeypatch):
    for raw in ("accounts.user:1", "issues.serviceissue", "nonsense", "issues.issueevent:1"):
        with pytest.raises(TargetNotFound):
            resolve_target(raw, access=access(team["lead"], project))
    # A registry label whose model has not been written yet is skipped, not an error.
    monkeypatch.setitem(registry.RECOGNITION_TARGETS, "futureapp.widget", "widget")
    assert registry.target_model("futureapp.widget") is None
    assert "futureapp.widget" not in registry.available_labels()
    with pytest.raises(TargetNotFound):
        resolve_target("futureapp.widget:1", access=access(team["lead"], project))
    assert "issues.serviceissue" in registry.available_labels()


@pytest.mark.django_db
def test_an_unresolved_issue_cannot_be_recognized_yet(client, raise_issue, project, team):
    issue = raise_issue()
    client.force_login(team["lead"])
    response = client.post(kudos(project, issue), {"note": "Early praise"})
    assert response.status_code == 200
    assert "once it is resolved" in response.content.decode()
    assert not Recognition.objects.exists()


@pytest.mark.django_db
def test_recognizing_twice_is_refused(client, resolved, project, team):
    client.force_login(team["lead"])
    assert client.post(kudos(project, resolved), {"note": "Great"}).status_code == 302
    response = client.post(kudos(project, resolved), {"note": "Great again"})
    assert "You already recognized this." in response.content.decode()
    assert Recognition.objects.count() == 1
    # The button disappears for whoever already recognized it.
    detail = client.get(resolved.get_absolute_url()).content.decode()
    assert "Recognize this resolution" not in detail
    client.force_login(team["dm"])
    assert "Recognize this resolution" in client.get(resolved.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_status_updates_and_answers_resolve_when_those_models_exist(project):
    """The registry resolves other apps' models lazily: whichever exist are offered."""
    for label in registry.RECOGNITION_TARGETS:
        app_label, model_name = label.split(".")
        exists = any(m._meta.label_lower == label for m in apps.get_models())
        assert (registry.target_model(label) is not None) == exists, label


@pytest.mark.django_db
def test_status_updates_and_answers_are_recognized_through_the_same_endpoint(client, project, team):
    from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory

    published = StatusUpdateFactory(project=project, created_by=team["pm"], published=True)
    draft = StatusUpdateFactory(project=project, created_by=team["pm"])
    question = UpdateCommentFactory(update=published, author=team["lead"], kind="question")
    answer = UpdateCommentFactory(update=published, author=team["sme"], kind="answer", parent=question)
    internal = UpdateCommentFactory(update=published, author=team["pm"], kind="comment", is_internal=True)
    base = reverse("issues:kudos", kwargs={"project_id": project.pk}) + "?target="
    client.force_login(team["lead"])

    for hidden in (
        f"projects.statusupdate:{draft.pk}",
        f"projects.updatecomment:{question.pk}",
        f"projects.updatecomment:{internal.pk}",
    ):
        assert client.get(base + hidden).status_code == 404, hidden

    response = client.post(
        base + f"projects.updatecomment:{answer.pk}",
        {"note": "Clear, fast answer.", "recipient": team["sme"].pk},
    )
    assert response.status_code == 302
    assert response["Location"] == published.get_absolute_url()  # an answer lives on its update's page
    response = client.post(base + f"projects.statusupdate:{published.pk}", {"note": "Best update yet."})
    assert response.status_code == 302 and response["Location"] == published.get_absolute_url()
    given = {r.target_label.split(" ")[0]: r for r in Recognition.objects.all()}
    assert set(given) == {"Answer", "Status"}
    assert given["Answer"].recipient == team["sme"]
    # Said once: "Answer by … on …", never "Answer: Answer by …".
    assert given["Answer"].target_label == f"Answer by {team['sme']} on {published}"
    assert given["Status"].target_label == f"Status update: {published}"


@pytest.mark.django_db
def test_recognition_can_go_to_the_whole_team(client, resolved, project, team):
    client.force_login(team["lead"])
    assert (
        client.post(kudos(project, resolved), {"note": "All of you, thank you.", "recipient": ""}).status_code
        == 302
    )
    assert Recognition.objects.get().recipient is None


@pytest.mark.django_db
def test_discarded_draft_cannot_be_recognized(client, project, team, django_capture_on_commit_callbacks):
    """Ids are sequential: a sponsor walking them must never read a discarded CDMO draft's title."""
    from projects import services as project_services
    from tests.factories.projects import StatusUpdateFactory

    draft = StatusUpdateFactory(project=project, created_by=team["pm"], title="Yield crash we never reported")
    project_services.update_discard(access=access(team["pm"], project), update=draft)
    url = (
        reverse("issues:kudos", kwargs={"project_id": project.pk})
        + f"?target=projects.statusupdate:{draft.pk}"
    )
    client.force_login(team["lead"])

    page = client.get(url)
    assert page.status_code == 404 and b"Yield crash" not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(url, {"note": "Thanks", "target": f"projects.statusupdate:{draft.pk}"})
    assert posted.status_code == 404
    assert not Recognition.objects.exists() and not mail.outbox
    with pytest.raises(TargetNotFound):
        resolve_target(f"projects.statusupdate:{draft.pk}", access=access(team["lead"], project))


@pytest.mark.django_db
def test_recognition_of_an_answer_is_labelled_as_recognition_and_names_the_answer_once(
    client, project, team, django_capture_on_commit_callbacks
):
    from portal.notifications.models import Notification
    from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory

    published = StatusUpdateFactory(project=project, created_by=team["pm"], published=True)
    question = UpdateCommentFactory(update=published, author=team["lead"], kind="question")
    answer = UpdateCommentFactory(update=published, author=team["sme"], kind="answer", parent=question)
    lead = access(team["lead"], project)
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_give(
            access=lead,
            target=resolve_target(f"projects.updatecomment:{answer.pk}", access=lead),
            note="Clear, fast answer.",
            recipient=team["sme"],
        )
    told = Notification.objects.filter(recipient__in=[team["sme"], team["pm"]])
    assert told.count() == 2
    assert {n.category_label for n in told} == {"Recognition"}  # not "Service issue"
    assert all("Answer by" in m.body and "Answer: Answer" not in m.body for m in mail.outbox)

    client.force_login(team["sme"])
    page = client.get(reverse("issues:recognition")).content.decode()
    assert f"Answer by {team['sme']}" in page and "Answer: Answer" not in page
