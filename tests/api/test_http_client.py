"""Issue 16's "done": a client that knows nothing but the OpenAPI schema and a token pages through
every resource over real HTTP (the portal on a live server, the standard library's urllib as the
client), and finds exactly what the portal holds for the token's organization."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.factories.integration import api_token
from tests.factories.projects import MilestoneFactory, ProjectFactory
from tests.world import populate_everything

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str, secret: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _list_paths(schema: dict) -> list[str]:
    """Every GET path without path parameters whose answer is a page (items and next_cursor)."""
    paths = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        body = get["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" in body:
            body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        if {"items", "next_cursor"} <= set(body.get("properties", {})):
            paths.append(path)
    return paths


def _walk(base: str, path: str, secret: str) -> tuple[list[dict], int]:
    """(every item, pages read), following next_cursor two items at a time."""
    items, pages, cursor = [], 0, None
    while True:
        query = urlencode({"limit": 2, **({"cursor": cursor} if cursor else {})})
        status, page = _get(f"{base}{path}?{query}", secret)
        assert status == 200, (path, status, page)
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


def test_a_schema_driven_client_pages_through_every_resource(live_server, project):
    populate_everything(project)
    ProjectFactory(cdmo=project.cdmo)  # a second project of the CDMO: projects take two pages
    outsider_project = ProjectFactory()  # another CDMO's, never seen
    MilestoneFactory(project=outsider_project)
    _, secret = api_token(project.cdmo)
    base = live_server.url

    status, schema = _get(f"{base}/api/v1/openapi.json")
    assert status == 200 and schema["openapi"].startswith("3.")
    paths = _list_paths(schema)
    resources = {path.removeprefix("/api/v1/").strip("/") for path in paths}
    assert {
        "projects",
        "milestones",
        "status-updates",
        "decisions",
        "change-requests",
        "meetings",
    } <= resources
    assert {"action-items", "service-issues", "flags", "scorecard-figures"} <= resources

    walked = {}
    for path in paths:
        items, pages = _walk(base, path, secret)
        name = path.removeprefix("/api/v1/").strip("/")
        walked[name] = items
        assert len({item["id"] for item in items}) == len(items), f"{name}: a page repeated an item"
        assert pages >= len(items) // 2, name
        owners = {item["id"] if name == "projects" else item["project"] for item in items}
        assert outsider_project.pk not in owners, f"{name} showed another organization's project"
    assert len(walked["projects"]) == 2
    for name in ("milestones", "status-updates", "decisions", "meetings", "action-items", "service-issues"):
        assert len(walked[name]) >= 1, name
    # Each object the lists gave is there on its own, over the same client.
    milestone = walked["milestones"][0]
    status, shown = _get(f"{base}/api/v1/milestones/{milestone['id']}", secret)
    assert status == 200 and shown["id"] == milestone["id"]
    # Without the token, nothing; with another organization's object, 404.
    assert _get(f"{base}/api/v1/projects", None)[0] == 401
    assert _get(f"{base}/api/v1/projects/{outsider_project.pk}", secret)[0] == 404
