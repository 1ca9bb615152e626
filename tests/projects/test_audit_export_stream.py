"""The audit trail's CSV is streamed as it is read (docs/audit-export.md): no document, no worker;
the events come through a server-side cursor a batch at a time, with a fixed number of queries
per batch, whatever the number of events; the rows are the same as the CSV built whole."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.documents.models import Document
from projects.audit_export import collect as collect_module
from projects.audit_export.collect import collect
from projects.audit_export.formats import to_csv
from projects.models import Milestone, MilestoneKind
from tests.clock import today_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _milestone_moves(project, moves: int, by=None) -> None:
    """One creation and `moves` forecast changes (by `by`, if given): 1 + moves events."""
    with pghistory.context(user=by.pk if by else None):
        _create_and_move(project, moves)


def _create_and_move(project, moves: int) -> None:
    milestone = Milestone.objects.create(
        project=project,
        kind=MilestoneKind.choices[0][0],
        title="GMP batch 1",
        baseline_date=dt.date(2027, 1, 1),
        forecast_date=dt.date(2027, 1, 1),
    )
    for day in range(1, moves + 1):
        Milestone.objects.filter(pk=milestone.pk).update(
            forecast_date=dt.date(2027, 1, 1) + dt.timedelta(days=day)
        )


def _post(client, project, user):
    today = today_for(user)
    return client.post(
        reverse("projects:audit_export", args=[project.pk]),
        {"start": today.isoformat(), "end": today.isoformat(), "format": "csv"},
    )


def _read(response) -> list[dict]:
    content = b"".join(response.streaming_content)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _events(rows) -> list[dict]:
    return [r for r in rows if r["row_type"] == "event"]


def test_the_csv_is_streamed_with_the_same_rows_as_the_whole_csv(login, project, cdmo_pm):
    _milestone_moves(project, 12)
    response = _post(login(cdmo_pm), project, cdmo_pm)
    assert response.streaming and not Document.objects.exists()
    streamed = _read(response)
    today = today_for(cdmo_pm)
    with timezone.override(ZoneInfo(cdmo_pm.time_zone)):  # the days are the requester's, as in the view
        whole = to_csv(
            collect(
                project=project,
                user=cdmo_pm,
                sees_internal=True,
                start=today,
                end=today,
                progress=lambda *a: None,
            )
        )
    expected = list(csv.DictReader(io.StringIO(whole.decode("utf-8-sig"))))
    assert [r["id"] for r in streamed] == [r["id"] for r in expected]
    assert streamed == expected
    moves = [r for r in _events(streamed) if r["changes"].startswith("Forecast date:")]
    assert len(moves) == 12
    assert [r["at_utc"] for r in _events(streamed)] == sorted(r["at_utc"] for r in _events(streamed))


def test_the_streamed_csv_costs_the_same_queries_for_more_events_in_a_batch(
    login, project, cdmo_pm, django_assert_num_queries, django_assert_max_num_queries
):
    client = login(cdmo_pm)
    _milestone_moves(project, 3)
    with django_assert_max_num_queries(40) as few:
        few_rows = _read(_post(client, project, cdmo_pm))
    _milestone_moves(project, 60)
    with django_assert_num_queries(len(few.captured_queries)):
        many_rows = _read(_post(client, project, cdmo_pm))
    assert len(_events(many_rows)) == len(_events(few_rows)) + 61


def _queries(client, project, user) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        rows = _read(_post(client, project, user))
    return len(queries.captured_queries), rows


def test_the_events_are_read_a_batch_at_a_time(login, project, cdmo_pm, monkeypatch):
    """Batches of four: two queries a batch for the names of the people who acted (each batch
    has one); the cursor's query is not repeated."""
    client = login(cdmo_pm)
    monkeypatch.setattr(collect_module, "BATCH", 4)
    _milestone_moves(
        project, 1, by=cdmo_pm
    )  # with the project's and its member's creation: 4 events, one batch
    one_batch, rows = _queries(client, project, cdmo_pm)
    assert len(_events(rows)) == 4
    _milestone_moves(project, 6, by=cdmo_pm)  # 11 events: three batches
    three_batches, rows = _queries(client, project, cdmo_pm)
    assert len(_events(rows)) == 11
    assert three_batches == one_batch + 2 * 2
