"""Pages: who may open what, internal notes kept from sponsors, forms that keep what was typed."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from issues import services
from issues.models import (
    EventKind,
    IssueEvent,
    IssueStatus,
    ResponseTimeAgreement,
    ServiceIssue,
    ServiceIssueAttachment,
)

from .conftest import access, drive

SECRET = "INTERNAL: QA reviewer on leave, keep quiet"
PDF = b"%PDF-1.4\n% test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(project, team, raise_issue, sponsor_exec, cdmo_admin, sponsor_member_off_team, outsider):
    """An issue with a pending plan, an internal note and an attachment; a closed one to recognize."""
    issue = drive(raise_issue(), IssueStatus.PLAN_PROPOSED, team, project)
    services.issue_add_note(access=access(team["sme"], project), issue=issue, text=SECRET, internal=True)
    services.issue_add_attachments(
        access=access(team["lead"], project),
        issue=issue,
        files=[SimpleUploadedFile("deviation.pdf", PDF, content_type="application/pdf")],
    )
    closed = drive(raise_issue(title="Old and done"), IssueStatus.CLOSED, team, project)
    return {
        "issue": issue,
        "plan": issue.plans.get(status="proposed"),
        "closed": closed,
        "attachment": ServiceIssueAttachment.objects.get(issue=issue),
        "users": {
            **team,
            "sponsor_exec": sponsor_exec,
            "cdmo_admin": cdmo_admin,
            "off_team": sponsor_member_off_team,
            "outsider": outsider,
        },
    }


def urls(world, project):
    issue, plan, closed = world["issue"], world["plan"], world["closed"]
    kw = {"project_id": project.pk, "serviceissue_id": issue.pk}
    return {
        "tab": reverse("issues:project_issues", kwargs={"project_id": project.pk}),
        "raise": reverse("issues:raise", kwargs={"project_id": project.pk}),
        "agreements": reverse("issues:agreements", kwargs={"project_id": project.pk}),
        "detail": reverse("issues:detail", kwargs=kw),
        "acknowledge": reverse("issues:acknowledge", kwargs=kw),
        "propose_plan": reverse("issues:propose_plan", kwargs=kw),
        "accept_plan": reverse("issues:accept_plan", kwargs={**kw, "resolutionplan_id": plan.pk}),
        "send_back_plan": reverse("issues:send_back_plan", kwargs={**kw, "resolutionplan_id": plan.pk}),
        "resolve": reverse("issues:resolve", kwargs=kw),
        "confirm_closed": reverse("issues:confirm_closed", kwargs=kw),
        "reopen": reverse("issues:reopen", kwargs=kw),
        "escalate": reverse("issues:escalate", kwargs=kw),
        "note": reverse("issues:note", kwargs=kw),
        "attach": reverse("issues:attach", kwargs=kw),
        "download": reverse(
            "issues:attachment", kwargs={**kw, "serviceissueattachment_id": world["attachment"].pk}
        ),
        "kudos": reverse("issues:kudos", kwargs={"project_id": project.pk})
        + f"?target=issues.serviceissue:{closed.pk}",
        "list": reverse("issues:list"),
        "recognition": reverse("issues:recognition"),
    }


SPONSOR_DECIDERS = {"lead", "dm", "sponsor_exec"}
CDMO_RESPONDERS = {"pm", "cdmo_admin"}
SEES_PROJECT = {"lead", "dm", "pm", "sme", "sponsor_exec", "cdmo_admin"}


def expected_status(page, who):
    if page in ("list", "recognition"):
        return 200
    if who not in SEES_PROJECT:
        return 404
    rules = {
        "raise": SPONSOR_DECIDERS,
        "agreements": CDMO_RESPONDERS,
        "acknowledge": CDMO_RESPONDERS,
        "propose_plan": CDMO_RESPONDERS,
        "resolve": CDMO_RESPONDERS,
        "accept_plan": SPONSOR_DECIDERS,
        "send_back_plan": SPONSOR_DECIDERS,
        "confirm_closed": SPONSOR_DECIDERS,
        "reopen": SPONSOR_DECIDERS,
        "escalate": SPONSOR_DECIDERS,
        "kudos": SPONSOR_DECIDERS,
    }
    allowed = rules.get(page)
    return 200 if allowed is None or who in allowed else 403


@pytest.mark.django_db
def test_permissions_table(client, world, project):
    pages = urls(world, project)
    failures = []
    for who, user in world["users"].items():
        client.force_login(user)
        for page, url in pages.items():
            got = client.get(url).status_code
            want = expected_status(page, who)
            if got != want:
                failures.append(f"{who} GET {page}: {got}, expected {want}")
    client.logout()
    for page, url in pages.items():
        response = client.get(url)
        if response.status_code != 302 or "/accounts/login/" not in response["Location"]:
            failures.append(f"anonymous GET {page}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_posts_by_the_wrong_side_change_nothing(client, world, project):
    pages = urls(world, project)
    client.force_login(world["users"]["lead"])
    assert client.post(pages["acknowledge"], {"acknowledge-note": "me"}).status_code == 403
    assert client.post(pages["resolve"], {"resolve-text": "done"}).status_code == 403
    client.force_login(world["users"]["pm"])
    assert client.post(pages["accept_plan"], {}).status_code == 403
    assert client.post(pages["escalate"], {"escalate-text": "why"}).status_code == 403
    client.force_login(world["users"]["outsider"])
    assert client.post(pages["accept_plan"], {}).status_code == 404
    issue = ServiceIssue.objects.get(pk=world["issue"].pk)
    assert (issue.status, issue.escalation_level) == (IssueStatus.PLAN_PROPOSED, 0)


# Internal notes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_internal_notes_never_reach_sponsor_pages(client, world, project):
    pages = urls(world, project)
    pages["history"] = reverse("projects:history", kwargs={"project_id": project.pk})
    for who in ("lead", "dm", "sponsor_exec"):
        client.force_login(world["users"][who])
        for page, url in pages.items():
            if page == "download":
                continue
            body = client.get(url).content.decode()
            assert SECRET not in body, f"{who} saw the internal note on {page}"
            assert "Internal note" not in body, f"{who} saw an internal entry on {page}"
        # The note form answered by htmx shows the timeline: still nothing internal.
        response = client.post(pages["note"], {"text": "A public question"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert "A public question" in body and SECRET not in body


@pytest.mark.django_db
def test_the_cdmo_team_sees_internal_notes_marked_as_such(client, world, project):
    pages = urls(world, project)
    for who in ("pm", "sme", "cdmo_admin"):
        client.force_login(world["users"][who])
        body = client.get(pages["detail"]).content.decode()
        assert SECRET in body and "Internal · CDMO only" in body
    history = client.get(reverse("projects:history", kwargs={"project_id": project.pk})).content.decode()
    assert "Internal note" in history


@pytest.mark.django_db
def test_a_sponsor_cannot_post_an_internal_note(client, world, project):
    client.force_login(world["users"]["lead"])
    client.post(urls(world, project)["note"], {"text": "Sneaky", "internal": "on"})
    event = IssueEvent.objects.filter(issue=world["issue"], kind=EventKind.NOTE).latest("pk")
    assert (event.note, event.is_internal) == ("Sneaky", False)


# Raising -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_raising_with_missing_fields_keeps_what_was_typed(client, project, team):
    client.force_login(team["lead"])
    url = reverse("issues:raise", kwargs={"project_id": project.pk})
    response = client.post(
        url, {"severity": "critical", "category": "quality", "description": "Typed text stays."}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Typed text stays." in body
    assert "This field is required." in body
    assert not ServiceIssue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("setup.exe", b"MZ\x90\x00", "not a file type we accept"),
        ("report.pdf", b"MZ pretending", "does not look like a PDF"),
        ("empty.txt", b"", "“empty.txt” is empty."),
    ],
)
def test_bad_attachments_are_refused_with_a_reason(client, project, team, name, content, error):
    client.force_login(team["lead"])
    response = client.post(
        reverse("issues:raise", kwargs={"project_id": project.pk}),
        {
            "severity": "minor",
            "category": "documentation",
            "title": "Missing CoA",
            "description": "Where is it?",
            "desired_outcome": "The CoA.",
            "attachments": [SimpleUploadedFile(name, content)],
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ServiceIssue.objects.exists()


@pytest.mark.django_db
def test_raising_an_issue_with_files(client, project, team):
    client.force_login(team["lead"])
    response = client.post(
        reverse("issues:raise", kwargs={"project_id": project.pk}),
        {
            "severity": "critical",
            "category": "quality",
            "title": "Deviation notified late",
            "description": "Nine days late.",
            "impact": "Clinical supply.",
            "desired_outcome": "24-hour notice.",
            "attachments": [
                SimpleUploadedFile("deviation.pdf", PDF),
                SimpleUploadedFile("timeline.csv", b"date,event\n2025-11-03,excursion\n"),
            ],
        },
    )
    issue = ServiceIssue.objects.get()
    assert response.status_code == 302 and response["Location"] == issue.get_absolute_url()
    assert (issue.severity, issue.raised_by, issue.status) == ("critical", team["lead"], IssueStatus.OPEN)
    names = sorted(
        ServiceIssueAttachment.objects.filter(issue=issue).values_list("original_name", "content_type")
    )
    assert names == [("deviation.pdf", "application/pdf"), ("timeline.csv", "text/csv")]
    detail = client.get(issue.get_absolute_url()).content.decode()
    assert "deviation.pdf" in detail and "Acknowledge within 4 business hours" in detail


@pytest.mark.django_db
def test_junk_input_never_breaks_a_page(client, world, project):
    client.force_login(world["users"]["lead"])
    pages = urls(world, project)
    junk = "?status=nope&severity=%00&category=x&breach=zzz&project=abc&page=-1&q=" + "x" * 500
    for page in ("tab", "list"):
        assert client.get(pages[page] + junk).status_code == 200
    response = client.post(pages["raise"], {"severity": "catastrophic", "category": "?", "title": "x" * 300})
    assert response.status_code == 200
    kudos = reverse("issues:kudos", kwargs={"project_id": project.pk})
    for target in (
        "",
        "issues.serviceissue",
        "issues.serviceissue:abc",
        "auth.user:1",
        "issues.serviceissue:99999999999999999999999",
    ):
        assert client.get(kudos + "?target=" + target).status_code == 404


# Steps through the pages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_acknowledging_twice_shows_a_clear_message(client, project, team, raise_issue):
    issue = raise_issue()
    url = reverse("issues:acknowledge", kwargs={"project_id": project.pk, "serviceissue_id": issue.pk})
    client.force_login(team["pm"])
    response = client.post(url, {"acknowledge-note": "Looking into it."})
    assert response.status_code == 302
    response = client.post(url, {"acknowledge-note": "Again"})
    assert response.status_code == 200
    assert "This issue was already acknowledged." in response.content.decode()
    assert IssueEvent.objects.filter(issue=issue, kind=EventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.django_db
def test_escalating_needs_a_reason(client, project, team, raise_issue):
    issue = raise_issue()
    url = reverse("issues:escalate", kwargs={"project_id": project.pk, "serviceissue_id": issue.pk})
    client.force_login(team["dm"])
    response = client.post(url, {"escalate-text": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert client.post(url, {"escalate-text": "Nobody answers."}).status_code == 302
    assert ServiceIssue.objects.get(pk=issue.pk).escalation_level == 1


@pytest.mark.django_db
def test_a_plan_with_a_past_target_date_or_an_outside_owner_is_refused(
    client, project, team, raise_issue, outsider
):
    issue = drive(raise_issue(), IssueStatus.ACKNOWLEDGED, team, project)
    url = reverse("issues:propose_plan", kwargs={"project_id": project.pk, "serviceissue_id": issue.pk})
    client.force_login(team["pm"])
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"owner": team["sme"].pk, "steps": "Do it.", "target_date": past})
    assert "cannot be in the past" in response.content.decode()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"owner": team["lead"].pk, "steps": "Do it.", "target_date": future})
    assert "Select a valid choice" in response.content.decode()
    assert ServiceIssue.objects.get(pk=issue.pk).status == IssueStatus.ACKNOWLEDGED


@pytest.mark.django_db
def test_the_agreed_times_form(client, project, team):
    url = reverse("issues:agreements", kwargs={"project_id": project.pk})
    client.force_login(team["pm"])
    data = {
        "critical_acknowledge": 2,
        "critical_plan": 8,
        "major_acknowledge": 8,
        "major_plan": 4,
        "minor_acknowledge": 16,
        "minor_plan": 40,
    }
    response = client.post(url, data)
    assert "cannot be due before the acknowledgement" in response.content.decode()
    assert not ResponseTimeAgreement.objects.exists()
    data["major_plan"] = 24
    assert client.post(url, data).status_code == 302
    # Only what changed from the defaults is stored.
    rows = list(
        ResponseTimeAgreement.objects.values_list("severity", "acknowledge_within_hours", "plan_within_hours")
    )
    assert rows == [("critical", 2, 8)]
    client.force_login(team["lead"])
    tab = client.get(reverse("issues:project_issues", kwargs={"project_id": project.pk})).content.decode()
    assert "2 business hours" in tab


@pytest.mark.django_db
def test_attachments_download_only_through_the_project(client, world, project, outsider):
    url = urls(world, project)["download"]
    client.force_login(world["users"]["sme"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="deviation.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_empty_file_attached_to_an_issue_is_named_as_empty(client, project, team, raise_issue):
    issue = raise_issue()
    client.force_login(team["lead"])
    url = reverse("issues:attach", kwargs={"project_id": project.pk, "serviceissue_id": issue.pk})
    response = client.post(url, {"files": [SimpleUploadedFile("notes.txt", b"")]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "“notes.txt” is empty." in body and "The submitted file is empty" not in body
    assert not ServiceIssueAttachment.objects.exists()
