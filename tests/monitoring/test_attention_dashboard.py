"""The dashboard reads the stored attention figures (issue 13): one query for its rows whatever
their number, every filter and sort kept, a project inserted without a save still shown."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from oversight.monitoring.models import FlagKind, ProjectAttention
from oversight.monitoring.selectors import DashboardFilters, dashboard_count, dashboard_rows
from portal.accounts.models import OrgRole
from projects.models import Project
from tests.factories.monitoring import FlagFactory
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import MilestoneFactory, ProjectFactory, StatusUpdateFactory, staff_project
from tests.http import text

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
FIGURES = (
    "overall",
    "critical_flags",
    "warning_flags",
    "breached_issues",
    "worst_slip",
    "decision_maker_flagged",
)


def _program(code, sponsor, cdmo, *, rag=None, slip=0):
    project = staff_project(sponsor=sponsor, cdmo=cdmo, code=code, start_date=dt.date(2026, 1, 5))
    if rag:
        StatusUpdateFactory(project=project, published=True, overall_rag=rag, published_at=NOW)
    baseline = NOW.date() + dt.timedelta(days=40)
    MilestoneFactory(
        project=project, baseline_date=baseline, forecast_date=baseline + dt.timedelta(days=slip)
    )
    return project


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        acme, alpha = SponsorFactory(name="Acme Bio"), CDMOFactory(name="Alpha CDMO")
        projects = {
            "ACM-1": _program("ACM-1", acme, alpha, rag="red"),
            "ACM-2": _program("ACM-2", acme, alpha, rag="amber", slip=21),
            "ACM-3": _program("ACM-3", acme, alpha),
        }
        return {"exec": UserFactory(organization=acme, org_role=OrgRole.EXECUTIVE), "projects": projects}


def _rows(world, **filters):
    return list(dashboard_rows(user=world["exec"], filters=DashboardFilters(**filters)))


@time_machine.travel(NOW, tick=False)
def test_rows_carry_the_stored_figures_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = _rows(world)
        figures = {p.code: (p.score, *(getattr(p, name) for name in FIGURES)) for p in rows}
    assert [p.code for p in rows] == ["ACM-1", "ACM-2", "ACM-3"]  # red 6, amber + 3 weeks' slip 6, 0
    assert figures["ACM-1"] == (6, "red", 0, 0, 0, 0, False)
    assert figures["ACM-2"] == (6, "amber", 0, 0, 0, 21, False)
    assert figures["ACM-3"] == (0, None, 0, 0, 0, 0, False)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_what_is_stored(client, world):
    """The page does not recompute: a stored figure is what it shows (here, as if it had drifted)."""
    ProjectAttention.objects.filter(project=world["projects"]["ACM-3"]).update(score=40, critical_flags=8)
    client.force_login(world["exec"])
    rows = client.get(reverse("monitoring:dashboard")).context["rows"]
    assert [(p.code, p.score, p.critical_flags) for p in rows][0] == ("ACM-3", 40, 8)


@time_machine.travel(NOW, tick=False)
def test_a_project_inserted_without_a_save_has_its_row_and_shows_with_zeros(client, world):
    """No listener runs for a bulk insert: the table's trigger gives the project its row (zeros,
    as of its creation), so the dashboard, which joins the rows, still lists it."""
    acme, alpha = world["exec"].organization, world["projects"]["ACM-1"].cdmo
    (bulk,) = Project.objects.bulk_create([ProjectFactory.build(sponsor=acme, cdmo=alpha, code="ACM-9")])
    row = ProjectAttention.objects.get(project=bulk)
    assert (row.overall, row.score, row.critical_flags, row.refreshed_at) == (None, 0, 0, bulk.created_at)
    rows = {p.code: p for p in _rows(world)}
    assert set(rows) == {"ACM-1", "ACM-2", "ACM-3", "ACM-9"}
    assert (rows["ACM-9"].overall, rows["ACM-9"].score, rows["ACM-9"].decision_maker_flagged) == (
        None,
        0,
        False,
    )
    assert [p.code for p in _rows(world, overall="none")] == ["ACM-3", "ACM-9"]
    client.force_login(world["exec"])
    response = client.get(reverse("monitoring:dashboard_csv"))
    assert "ACM-9" in {row["Code"] for row in csv.DictReader(io.StringIO(text(response)))}


@time_machine.travel(NOW, tick=False)
def test_filters_and_sorts_read_the_stored_figures(world):
    assert [p.code for p in _rows(world, attention_only=True)] == ["ACM-1", "ACM-2"]
    assert [p.code for p in _rows(world, overall="red")] == ["ACM-1"]
    assert [p.code for p in _rows(world, sort="-slip")] == ["ACM-2", "ACM-1", "ACM-3"]
    assert [p.code for p in _rows(world, sort="-overall")] == ["ACM-1", "ACM-2", "ACM-3"]


@time_machine.travel(NOW, tick=False)
def test_the_page_costs_the_same_queries_for_more_programs(client, world, django_assert_num_queries):
    client.force_login(world["exec"])
    client.get(reverse("monitoring:dashboard"))  # the session and the caches warm
    with django_assert_num_queries(9):
        client.get(reverse("monitoring:dashboard"))
    sponsor, cdmo = world["exec"].organization, world["projects"]["ACM-1"].cdmo
    for i in range(20):
        _program(f"MORE-{i}", sponsor, cdmo, rag="amber", slip=i * 3)
    with django_assert_num_queries(9):
        client.get(reverse("monitoring:dashboard"))


@time_machine.travel(NOW, tick=False)
def test_a_flag_cell_escapes_what_it_prints(client, world):
    """The cells are built in Python (`table.py`): an explanation is text, never markup."""
    project = world["projects"]["ACM-1"]
    FlagFactory(project=project, explanation='<b onclick="x()">late</b> & more')
    FlagFactory(project=project, kind=FlagKind.STALE_UPDATE, explanation="second")
    client.force_login(world["exec"])
    html = text(client.get(reverse("monitoring:dashboard")))
    flags_url = reverse("monitoring:project_flags", kwargs={"project_id": project.pk})
    assert (
        f'<a class="flag flag-critical" href="{flags_url}" '
        'title="&lt;b onclick=&quot;x()&quot;&gt;late&lt;/b&gt; &amp; more">'
        "No decision-maker on the project</a>"
    ) in html
    assert "<b onclick" not in html


@time_machine.travel(NOW, tick=False)
def test_ties_on_the_score_go_by_code_and_follow_a_rename(world):
    """The order's code is the row's copy (one index for score and code): an UPDATE of the
    project's code, without a save, moves it among the projects of its score."""
    assert [p.code for p in _rows(world)] == ["ACM-1", "ACM-2", "ACM-3"]  # 6, 6, 0
    Project.objects.filter(pk=world["projects"]["ACM-1"].pk).update(code="ACM-7")
    assert [p.code for p in _rows(world)] == ["ACM-2", "ACM-7", "ACM-3"]
    assert ProjectAttention.objects.get(project=world["projects"]["ACM-1"]).code == "ACM-7"


@time_machine.travel(NOW, tick=False)
def test_service_cells_and_a_program_never_updated_print_as_before(client, world):
    """The rows are printed in Python (`table.py`): the HTML the template printed, byte for byte."""
    p1, p2, p3 = (world["projects"][code] for code in ("ACM-1", "ACM-2", "ACM-3"))
    FlagFactory(project=p2, kind=FlagKind.ISSUE_ACK_BREACH, explanation="Not acknowledged in 2 days.")
    ProjectAttention.objects.filter(project__in=[p1, p2]).update(breached_issues=2)  # as if stored
    Project.objects.filter(pk=p3.pk).update(last_update_published_at=None)
    client.force_login(world["exec"])
    html = text(client.get(reverse("monitoring:dashboard")))
    flags_url = reverse("monitoring:project_flags", kwargs={"project_id": p2.pk})
    assert (
        '<td data-label="Service"><span class="badge badge-red">2 breached</span>\n        </td>'
    ) in html  # ACM-1: breached issues, no flag in the column
    assert (
        f'<td data-label="Service"><a class="flag flag-critical" href="{flags_url}" '
        'title="Not acknowledged in 2 days.">Service issue not acknowledged in time</a>\n'
        '        <div class="small muted">2 breached</div></td>'
    ) in html
    assert '<td data-label="Last update" class="nowrap"><span class="muted">Never</span></td>' in html
    assert html.count("<tr>") == 1 + 3  # the head's and one per program


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "filters",
    [{}, {"overall": "none"}, {"overall": "red"}, {"attention_only": True}, {"status": ""}, {"q": "acm-2"}],
)
def test_the_pages_count_counts_the_rows(world, filters, django_assert_num_queries):
    """The pagination counts over the projects alone (`dashboard_count`): the same number."""
    acme, alpha = world["exec"].organization, world["projects"]["ACM-1"].cdmo
    Project.objects.bulk_create([ProjectFactory.build(sponsor=acme, cdmo=alpha, code="ACM-9")])
    with django_assert_num_queries(1):
        count = dashboard_count(user=world["exec"], filters=DashboardFilters(**filters))
    assert count == len(_rows(world, **filters)) > 0
