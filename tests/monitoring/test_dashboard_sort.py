"""Dashboard columns sort in the database, with the filters kept in the URL (issue 12)."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.models import OrgRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import MilestoneFactory, StatusUpdateFactory, staff_project
from tests.http import text

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def _program(code, sponsor, cdmo, *, rag=None, days_ago=None, slip=0):
    project = staff_project(sponsor=sponsor, cdmo=cdmo, code=code, start_date=dt.date(2026, 1, 5))
    if rag:
        StatusUpdateFactory(
            project=project, published=True, overall_rag=rag, published_at=NOW - dt.timedelta(days=days_ago)
        )
        project.last_update_published_at = NOW - dt.timedelta(days=days_ago)
        project.save()
    baseline = TODAY + dt.timedelta(days=40)
    MilestoneFactory(
        project=project, baseline_date=baseline, forecast_date=baseline + dt.timedelta(days=slip)
    )
    return project


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        acme, zed = SponsorFactory(name="Acme Bio"), SponsorFactory(name="Zed Pharma")
        alpha, beta, gamma = (CDMOFactory(name=n) for n in ("Alpha CDMO", "Beta CDMO", "Gamma CDMO"))
        # Scores: ACM-1 red 6; ACM-2 three weeks' slip 3; ACM-4 amber 3; ACM-3 nothing yet 0.
        _program("ACM-1", acme, gamma, rag="red", days_ago=2)
        _program("ACM-2", acme, alpha, rag="green", days_ago=10, slip=21)
        _program("ACM-3", acme, beta, slip=5)
        _program("ACM-4", acme, alpha, rag="amber", days_ago=1)
        _program("ZED-1", zed, alpha, rag="green", days_ago=3)
        return {
            "sponsor_exec": UserFactory(organization=acme, org_role=OrgRole.EXECUTIVE),
            "cdmo_exec": UserFactory(organization=alpha, org_role=OrgRole.EXECUTIVE),
        }


def _codes(client, **params):
    response = client.get(reverse("monitoring:dashboard"), params)
    assert response.status_code == 200
    return [p.code for p in response.context["rows"]]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-score", ["ACM-1", "ACM-2", "ACM-4", "ACM-3"]),
        ("score", ["ACM-3", "ACM-2", "ACM-4", "ACM-1"]),  # ties keep the higher score, then the code
        ("-overall", ["ACM-1", "ACM-4", "ACM-2", "ACM-3"]),  # red, amber, green, no update yet
        ("overall", ["ACM-3", "ACM-2", "ACM-4", "ACM-1"]),
        ("updated", ["ACM-3", "ACM-2", "ACM-1", "ACM-4"]),  # never updated counts as the stalest
        ("-updated", ["ACM-4", "ACM-1", "ACM-2", "ACM-3"]),
        ("-slip", ["ACM-2", "ACM-3", "ACM-1", "ACM-4"]),
        ("slip", ["ACM-1", "ACM-4", "ACM-3", "ACM-2"]),
        ("counterparty", ["ACM-2", "ACM-4", "ACM-3", "ACM-1"]),  # Alpha, Beta, Gamma CDMO
        ("-counterparty", ["ACM-1", "ACM-3", "ACM-2", "ACM-4"]),
    ],
)
def test_each_sort_key_orders_the_rows(client, world, sort, expected):
    client.force_login(world["sponsor_exec"])
    assert _codes(client, sort=sort) == expected


@time_machine.travel(NOW, tick=False)
def test_a_cdmo_sorts_by_sponsor(client, world):
    client.force_login(world["cdmo_exec"])
    assert _codes(client, sort="counterparty") == ["ACM-2", "ACM-4", "ZED-1"]
    assert _codes(client, sort="-counterparty") == ["ZED-1", "ACM-2", "ACM-4"]
    body = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "Project · Sponsor" in body


@time_machine.travel(NOW, tick=False)
def test_filters_survive_sorting_and_headers_carry_them(client, world):
    client.force_login(world["sponsor_exec"])
    assert _codes(client, attention_only="on", sort="slip") == ["ACM-1", "ACM-4", "ACM-2"]
    body = client.get(
        reverse("monitoring:dashboard"), {"attention_only": "on", "sort": "slip", "page": "1"}
    ).content.decode()
    # The sorted header says so and its link reverses the order; the others keep the filter too.
    assert '<th aria-sort="ascending"><a class="sort-link" href="?attention_only=on&amp;sort=-slip">' in body
    assert 'href="?attention_only=on&amp;sort=-score"' in body
    assert 'href="?attention_only=on&amp;sort=updated"' in body
    assert body.count("aria-sort=") == 1
    # Filtering again keeps the sort; the exports follow it.
    assert '<input type="hidden" name="sort" value="slip">' in body
    assert "sort=slip" in body.split("Export CSV")[0].rsplit("href=", 1)[1]


@time_machine.travel(NOW, tick=False)
def test_default_order_marks_the_score_descending(client, world):
    client.force_login(world["sponsor_exec"])
    body = client.get(reverse("monitoring:dashboard")).content.decode()
    assert 'aria-sort="descending" title="Attention score"><a class="sort-link" href="?sort=score">' in body
    assert 'name="sort"' not in body


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("junk", ["bogus", "--score", "", "-", "score;drop", "pk", "-code"])
def test_junk_sort_falls_back_to_the_default_order(client, world, junk):
    client.force_login(world["sponsor_exec"])
    assert _codes(client, sort=junk) == ["ACM-1", "ACM-2", "ACM-4", "ACM-3"]


@time_machine.travel(NOW, tick=False)
def test_csv_export_follows_the_sort(client, world):
    client.force_login(world["sponsor_exec"])
    response = client.get(reverse("monitoring:dashboard_csv"), {"sort": "-slip", "q": "ACM"})
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert [r["Code"] for r in rows] == ["ACM-2", "ACM-3", "ACM-1", "ACM-4"]
    assert [r["Worst milestone slip (days)"] for r in rows] == ["21", "5", "0", "0"]


@time_machine.travel(NOW, tick=False)
def test_sorting_costs_no_extra_query(client, world):
    client.force_login(world["sponsor_exec"])
    client.get(reverse("monitoring:dashboard"))  # warm the session and caches alike
    counts = {}
    for sort in ("-score", "counterparty", "-overall", "updated", "slip"):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("monitoring:dashboard"), {"sort": sort, "attention_only": "on"})
        counts[sort] = len(queries)
    assert len(set(counts.values())) == 1, counts


@time_machine.travel(NOW, tick=False)
def test_csv_streams_every_row_in_batches(client, world, settings):
    """Read in batches of two from a server-side cursor: every row once, in order, its flags
    loaded per batch (one query each), whatever the batch size."""
    client.force_login(world["sponsor_exec"])
    settings.DASHBOARD_EXPORT_BATCH = 2
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("monitoring:dashboard_csv"), {"sort": "-slip"})
        assert response.streaming
        body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["Code"] for r in rows] == ["ACM-2", "ACM-3", "ACM-1", "ACM-4"]
    flag_queries = [q for q in queries if q["sql"].startswith('SELECT "monitoring_flag"."id"')]
    assert len(flag_queries) == 2  # one per batch of two

    settings.DASHBOARD_EXPORT_BATCH = 500
    whole = b"".join(client.get(reverse("monitoring:dashboard_csv"), {"sort": "-slip"}).streaming_content)
    assert whole.decode() == body
