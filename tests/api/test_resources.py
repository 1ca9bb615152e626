"""The read API's resources with real tokens: each list and object, paging by cursor, filters,
tenancy (a sponsor's token never reads drafts or CDMO-internal notes) and a page's query count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issues.models import IssueEvent
from meetings.models import ActionItem
from projects.models import Milestone, MilestoneBaseline, Project, StatusUpdate
from tests.factories.integration import api_token
from tests.factories.projects import ProjectFactory, StatusUpdateFactory
from tests.world import populate_everything

RESOURCES = {
    "milestones": "milestone",
    "status-updates": "statusupdate",
    "decisions": "decisionrequest",
    "change-requests": "changerequest",
    "meetings": "meeting",
    "action-items": "actionitem",
    "service-issues": "serviceissue",
    "flags": "flag",
    "scorecard-figures": None,
}


def get(client, secret, url, **params):
    response = client.get(f"/api/v1/{url}", params, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def walk(client, secret, url, **params) -> list[dict]:
    """Every item of a list, page by page through next_cursor."""
    items, cursor = [], None
    while True:
        page = get(client, secret, url, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
def world(project):
    return populate_everything(project)


@pytest.mark.django_db
def test_every_resource_lists_and_shows_the_projects_objects(client, world):
    _, secret = api_token(world.cdmo)
    projects = get(client, secret, "projects")["items"]
    assert [p["code"] for p in projects] == [world.code] and projects[0]["sponsor_name"] == world.sponsor.name
    assert get(client, secret, f"projects/{world.pk}")["id"] == world.pk
    for url, _ in RESOURCES.items():
        items = walk(client, secret, url, limit=1)
        if url != "scorecard-figures":  # figures exist once the refresh ran
            assert items, url
        assert {item["project"] for item in items} <= {world.pk}, url
        assert len({item["id"] for item in items}) == len(items), url  # paging repeats nothing
        if items and RESOURCES[url]:
            assert get(client, secret, f"{url}/{items[0]['id']}")["id"] == items[0]["id"]
    first = Milestone.objects.filter(project=world).order_by("pk").first()
    MilestoneBaseline.objects.create(milestone=first, baseline_date=first.baseline_date)
    milestone = get(client, secret, f"milestones/{first.pk}")
    assert milestone["baselines"] == [
        {
            "baseline_date": first.baseline_date.isoformat(),
            "set_at": milestone["baselines"][0]["set_at"],
            "change_request": None,
        }
    ]
    issue = get(client, secret, "service-issues")["items"][0]
    assert {"acknowledge_by", "plan_by", "acknowledge_breached_at", "plan_breach_count"} <= issue.keys()


@pytest.mark.django_db
def test_sponsor_token_never_reads_drafts_or_cdmo_internal_notes(client, world):
    draft = StatusUpdateFactory(project=world, title="Draft nobody outside the CDMO reads")
    internal = IssueEvent.objects.filter(project=world, is_internal=True).first()
    assert internal is not None
    _, sponsor_secret = api_token(world.sponsor)
    _, cdmo_secret = api_token(world.cdmo)
    for secret in (sponsor_secret, cdmo_secret):
        updates = walk(client, secret, "status-updates")
        assert updates and draft.pk not in {u["id"] for u in updates}
        assert {u["status"] for u in updates} <= {"published", "superseded"}
        response = client.get(f"/api/v1/status-updates/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 404
    sponsor_view = get(client, sponsor_secret, f"service-issues/{internal.issue_id}")
    cdmo_view = get(client, cdmo_secret, f"service-issues/{internal.issue_id}")
    assert internal.pk not in {e["id"] for e in sponsor_view["timeline"]}
    assert internal.note and internal.note not in str(sponsor_view)
    assert internal.pk in {e["id"] for e in cdmo_view["timeline"]}


@pytest.mark.django_db
def test_filters_by_project_status_and_updated_since(client, sponsor, cdmo):
    start = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        old = ProjectFactory(sponsor=sponsor, cdmo=cdmo, code="OLD-1")
        on_hold = ProjectFactory(sponsor=sponsor, cdmo=cdmo, code="HOLD-1", status="on_hold")
        _, secret = api_token(sponsor)
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        new = ProjectFactory(sponsor=sponsor, cdmo=cdmo, code="NEW-1")
        codes = lambda **params: {p["code"] for p in walk(client, secret, "projects", **params)}  # noqa: E731
        assert codes() == {"OLD-1", "HOLD-1", "NEW-1"}
        assert codes(status="on_hold") == {"HOLD-1"}
        assert codes(project=new.pk) == {"NEW-1"}
        assert codes(updated_since=(start + dt.timedelta(days=1)).isoformat()) == {"NEW-1"}
        Project.objects.get(pk=old.pk).save()  # changed now: the next incremental load has it
        assert codes(updated_since=(start + dt.timedelta(days=1)).isoformat()) == {"NEW-1", "OLD-1"}
    assert on_hold.pk != old.pk
    response = client.get("/api/v1/projects", {"cursor": "not-ours"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400


@pytest.mark.django_db
def test_published_updates_filtered_by_updated_since(client, world):
    _, secret = api_token(world.sponsor)
    published = StatusUpdate.objects.filter(project=world).visible_record()
    later = max(u.updated_at for u in published) + dt.timedelta(seconds=1)
    assert walk(client, secret, "status-updates", updated_since=later.isoformat()) == []
    assert len(walk(client, secret, "status-updates", project=world.pk)) == published.count()


def _queries_for_page(client, secret) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        page = get(client, secret, "projects", limit=100)
    return len(queries), len(page["items"])


@pytest.mark.django_db
def test_a_page_of_projects_costs_the_same_queries_for_3_or_150_projects(client, sponsor, cdmo):
    ProjectFactory.create_batch(3, sponsor=sponsor, cdmo=cdmo)
    _, secret = api_token(sponsor)
    few, shown = _queries_for_page(client, secret)
    assert shown == 3
    ProjectFactory.create_batch(147, sponsor=sponsor, cdmo=cdmo)
    many, shown = _queries_for_page(client, secret)
    assert shown == 100
    # The token (with its organization), the audit row, the last use, the page.
    assert few == many == 4


@pytest.mark.django_db
def test_docs_come_from_our_static_files_within_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    # No inline script: the one <script> without a src is JSON data, which the browser never runs.
    assert page.count("<script") == page.count('<script src="/static/') + page.count(
        'type="application/json"'
    )
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    schema = client.get("/api/v1/openapi.json").json()
    assert (
        schema["openapi"].startswith("3.") and "/api/v1/service-issues/{serviceissue_id}" in schema["paths"]
    )


@pytest.mark.django_db
def test_updated_since_reads_the_audit_events_where_no_column_says_it(client, world):
    """Action items and decisions keep no updated_at: an event in their pghistory table since
    the moment counts (their own timestamps here are years old)."""
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    item = ActionItem.objects.filter(project=world).first()
    ActionItem.objects.filter(pk=item.pk).update(created_at=long_ago)  # the update is an event
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        event_time = cursor.fetchone()[0]
    _, secret = api_token(world.cdmo)
    before = (event_time - dt.timedelta(minutes=1)).isoformat()
    after = (event_time + dt.timedelta(minutes=1)).isoformat()
    assert item.pk in {i["id"] for i in walk(client, secret, "action-items", updated_since=before)}
    assert item.pk not in {i["id"] for i in walk(client, secret, "action-items", updated_since=after)}
    assert walk(client, secret, "decisions", updated_since=after) == []
    naive = (event_time - dt.timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    assert item.pk in {i["id"] for i in walk(client, secret, "action-items", updated_since=naive)}


@pytest.mark.django_db
def test_bad_query_strings_are_client_errors_never_500(client, sponsor):
    _, secret = api_token(sponsor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for params in (
        {"updated_since": "yesterday"},
        {"limit": "0"},
        {"limit": "101"},
        {"project": "abc"},
    ):
        response = client.get("/api/v1/milestones", params, **auth)
        assert response.status_code == 422, (params, response.status_code)
    assert client.get("/api/v1/flags", {"status": "nonsense"}, **auth).json()["items"] == []
    assert client.get("/api/v1/milestones", {"project": "9" * 30}, **auth).json()["items"] == []
    assert client.get("/api/v1/projects/" + "9" * 30, **auth).status_code == 404
