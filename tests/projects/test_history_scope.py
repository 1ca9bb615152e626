"""The project's history holds every event of every record that belongs to the project, however
far from it (docs/audit-export.md): the History tab lists them, its kind filter finds them, the
audit export's JSON and CSV carry them; another project's never; the sponsor never sees internal
ones; one query whatever the size."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.models import ResolutionPlan, ServiceIssueAttachment
from meetings.models import AgendaItem, Decision, Invitee
from portal.core.history import project_events
from portal.core.history_scope import project_paths, project_scoped_events
from projects.models import DecisionOption, DecisionRequest, Milestone, MilestoneBaseline
from tests.clock import today_for
from tests.factories.projects import ProjectFactory
from tests.projects.test_audit_export import _csv_rows, _download_csv, _export
from tests.projects.test_working_agreement import _in_force
from tests.world import APP_FACTORY_MODULES, populate_everything

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

# Tracked, but not a project's record: people, organizations, invitations, notification settings,
# an organization's scorecard targets, an organization's API tokens.
NOT_PROJECT_RECORDS = {
    "api.ApiToken",
    "accounts.User",
    "organizations.Organization",
    "organizations.Invitation",
    "notifications.NotificationPreference",
    "scorecards.OrganizationTarget",
    "webhooks.WebhookSubscription",  # an organization's, not a project's
    "sso.IdentityProvider",  # an organization's single sign-on set-up
    "sso.EmailDomain",
}


def _tracked_models() -> dict[str, type]:
    """{tracked model label: its event model}."""
    return {
        model.pgh_tracked_model._meta.label: model
        for model in apps.get_models()
        if getattr(model, "pgh_tracked_model", None) is not None
    }


def _event_slugs_of(project) -> dict[str, set[str]]:
    """Ground truth, row by row: {tracked model label: slugs of the events of its rows that belong
    to `project`}, following each model's registered path in Python, one query per model."""
    slugs = {}
    for label, event_model in _tracked_models().items():
        path = project_paths().get(label)
        if path is None:
            continue
        tracked = event_model.pgh_tracked_model
        rows = tracked._base_manager.filter(**({path: project} if path else {"pk": project.pk}))
        ids = event_model.objects.filter(pgh_obj__in=rows.values("pk")).values_list("pgh_id", flat=True)
        slugs[label] = {f"{event_model._meta.label}:{pk}" for pk in ids}
    return slugs


def _typical_writes(project):
    """The edits each kind of record gets in real use, so updates are in the trail too."""
    milestone = Milestone.objects.filter(project=project).first()
    MilestoneBaseline.objects.create(
        milestone=milestone, baseline_date=milestone.baseline_date, set_at=timezone.now()
    )
    plan = ResolutionPlan.objects.filter(issue__project=project).first()
    ResolutionPlan.objects.filter(pk=plan.pk).update(status="accepted", responded_at=timezone.now())
    AgendaItem.objects.filter(meeting__project=project).update(title="Renamed agenda point")
    Decision.objects.filter(meeting__project=project).update(summary="Go ahead with suite B, revised")
    Invitee.objects.filter(meeting__project=project).update(rsvp="accepted", rsvp_at=timezone.now())
    ServiceIssueAttachment.objects.filter(issue__project=project).update(original_name="renamed.pdf")


@pytest.fixture
def world(project, cdmo_pm, sponsor_lead, decision_maker):
    for module in APP_FACTORY_MODULES:  # the team is there already
        module.populate_project(project)
    _typical_writes(project)
    # The records only some projects have: a decision asked as a choice, an agreement in force.
    DecisionOption.objects.create(
        decision=DecisionRequest.objects.filter(project=project).first(),
        position=1,
        label="Resin from the second supplier",
        description="Qualified last year; two weeks' lead time.",
    )
    _in_force(project, sponsor_lead, cdmo_pm)
    other = populate_everything(ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-202"))
    _typical_writes(other)
    return {"project": project, "other": other}


def test_every_tracked_model_says_how_it_reaches_its_project():
    unregistered = set(_tracked_models()) - set(project_paths()) - NOT_PROJECT_RECORDS
    assert not unregistered, f"register_project_path(...) for {unregistered} in its app's ready()"
    assert not set(project_paths()) & NOT_PROJECT_RECORDS


def test_every_event_of_every_project_record_is_in_the_history_and_no_other_projects(world):
    project, other = world["project"], world["other"]
    truth = _event_slugs_of(project)
    # One of each kind, with its typical updates, made events.
    assert all(truth[label] for label in project_paths()), [k for k, v in truth.items() if not v]
    everything = set().union(*truth.values())
    scoped = set(
        project_scoped_events(project=project, sees_internal=True).values_list("pgh_slug", flat=True)
    )
    assert scoped == everything
    theirs = set().union(*_event_slugs_of(other).values())
    assert theirs and not theirs & scoped
    # The History tab's list drops only bookkeeping-only updates.
    listed = set(project_events(project=project, sees_internal=True).values_list("pgh_slug", flat=True))
    assert listed <= everything and {s.split(":")[0] for s in listed} == {
        _tracked_models()[label]._meta.label for label in project_paths()
    }


def test_the_history_tab_lists_and_filters_the_indirect_kinds(login, world, cdmo_pm):
    project = world["project"]
    client = login(cdmo_pm)
    url = reverse("projects:history", args=[project.pk])
    listed = project_events(project=project, sees_internal=True)
    assert client.get(url).context["page"].paginator.count == listed.count()
    for label, words in [
        ("issues.ResolutionPlan", "Resolution plan accepted"),
        ("meetings.AgendaItem", "Agenda item changed: title"),
        ("meetings.Invitee", "Invitation changed"),
        ("meetings.Decision", "Meeting decision changed: decision"),
        ("projects.UpdateComment", "Question asked"),
        ("projects.UpdateAttachment", "File attached to an update"),
        ("projects.ChangeOption", "Option added to a change request"),
        ("projects.MilestoneImpact", "Milestone impact estimated (21 days)"),
        ("projects.MilestoneBaseline", "Milestone baseline set"),
        ("projects.StatusUpdate", "Status update published"),
        ("issues.ServiceIssueAttachment", "File attached to a service issue"),
    ]:
        response = client.get(url, {"kind": label})
        assert not response.context["form"].errors, label
        event_model = _tracked_models()[label]._meta.label
        assert response.context["page"].paginator.count == listed.filter(pgh_model=event_model).count() > 0
        assert words in response.content.decode(), label
    kinds = dict(response.context["form"].fields["kind"].choices)
    assert kinds["projects.UpdateComment"] == "Update comments and questions"
    assert "accounts.User" not in kinds and "notifications.NotificationPreference" not in kinds


def test_the_export_json_and_csv_hold_every_event_the_history_lists(
    login, world, cdmo_pm, django_capture_on_commit_callbacks
):
    project = world["project"]
    client = login(cdmo_pm)
    today = today_for(cdmo_pm)
    listed = set(project_events(project=project, sees_internal=True).values_list("pgh_slug", flat=True))
    _doc, raw = _export(client, project, "json", today, today, django_capture_on_commit_callbacks)
    exported = {e["id"] for e in json.loads(raw)["events"]}
    assert exported == listed
    assert {e["model"] for e in json.loads(raw)["events"]} == set(project_paths())
    raw_csv = _download_csv(client, project, today, today)
    assert {r["id"] for r in _csv_rows(raw_csv) if r["row_type"] == "event"} == listed


def test_the_sponsor_never_sees_internal_rows_however_far_from_the_project(
    login, world, sponsor_lead, monkeypatch
):
    project = world["project"]
    internal = {
        e.pgh_slug
        for e in project_events(project=project, sees_internal=True)
        if (e.pgh_data or {}).get("is_internal")
    }
    assert {s.split(":")[0] for s in internal} == {"projects.UpdateCommentEvent", "issues.IssueEventEvent"}
    sponsors = set(project_events(project=project, sees_internal=False).values_list("pgh_slug", flat=True))
    assert sponsors and not sponsors & internal
    body = login(sponsor_lead).get(
        reverse("projects:history", args=[project.pk]), {"kind": "projects.UpdateComment"}
    )
    assert "Internal note posted" not in body.content.decode() and "Question asked" in body.content.decode()
    # A kind only the CDMO sees leaves the sponsor's history and its kind filter.
    monkeypatch.setattr(Invitee, "HISTORY_CDMO_ONLY", True, raising=False)
    sponsors = project_events(project=project, sees_internal=False)
    assert not sponsors.filter(pgh_model="meetings.InviteeEvent").exists()
    assert (
        project_events(project=project, sees_internal=True).filter(pgh_model="meetings.InviteeEvent").exists()
    )
    response = login(sponsor_lead).get(reverse("projects:history", args=[project.pk]))
    assert "meetings.Invitee" not in dict(response.context["form"].fields["kind"].choices)


def test_the_events_are_one_query(world):
    with CaptureQueriesContext(connection) as queries:
        slugs = list(project_events(project=world["project"], sees_internal=False).values_list("pgh_slug"))
    assert slugs and len(queries) == 1


# The project frame's reads; the events' count, their people and the page (light), the page's
# events in full, their names.
HISTORY_QUERIES = 12


@pytest.mark.parametrize("size", ["small", "everything"])
def test_the_history_tabs_query_count_is_pinned(
    login, project, cdmo_pm, sponsor_lead, decision_maker, django_assert_num_queries, size
):
    if size == "everything":
        for module in APP_FACTORY_MODULES:
            module.populate_project(project)
        _typical_writes(project)
    else:
        Milestone.objects.create(
            project=project,
            kind="gmp_batch",
            title="GMP 1",
            baseline_date=dt.date(2027, 1, 1),
            forecast_date=dt.date(2027, 1, 1),
        )
    client = login(cdmo_pm)
    url = reverse("projects:history", args=[project.pk])
    client.get(url)
    with django_assert_num_queries(HISTORY_QUERIES):
        assert client.get(url).status_code == 200
    # Filtered to milestones written by no signed-in user: no names to read.
    with django_assert_num_queries(HISTORY_QUERIES - 1):
        client.get(url, {"kind": "projects.Milestone", "page": "1"})
