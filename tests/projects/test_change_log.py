"""The change log: every change request across the projects a user can see, filtered, paged and
exported as CSV; nobody sees another organization's changes."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from projects import services
from projects.models import ChangeStatus, Project, Side
from tests.factories.projects import ProjectFactory, change_with_options, staff_project

from .update_helpers import access

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 3)
URL = reverse("projects:change_log")
CSV_URL = reverse("projects:change_log_csv")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def changes(project, sponsor_lead, decision_maker, cdmo_pm):
    """Four changes on ACM-101: open and late, open, approved, rejected (raised by the sponsor)."""
    late = change_with_options(
        project, title="Move GMP-01 to suite B", needed_by=TODAY - datetime.timedelta(days=2)
    )
    open_ = change_with_options(project, title="Add a third engineering batch")
    approved = change_with_options(project, title="Switch the resin supplier")
    services.change_approve(
        access=access(decision_maker, project),
        change=approved,
        option=approved.recommended_option,
        reason="Keeps the filing date.",
    )
    rejected = change_with_options(
        project,
        title='=HYPERLINK("http://evil")',
        raised_by=sponsor_lead,
        raised_by_side=Side.SPONSOR,
    )
    services.change_reject(access=access(sponsor_lead, project), change=rejected, reason="Too costly.")
    return {"late": late, "open": open_, "approved": approved, "rejected": rejected}


def test_an_executive_sees_every_change_of_the_organization_with_its_decision_and_signer(
    client, sponsor_exec, changes, decision_maker
):
    client.force_login(sponsor_exec)
    body = client.get(URL).content.decode()
    for change in changes.values():
        assert change.get_absolute_url() in body
    assert "Past needed-by" in body and "Approved: Suite B" in body
    assert f"Signed by {decision_maker.full_name}" in body and "Rejected: Too costly." in body
    assert "Northbridge CDMO" in body  # the counterparty, for a sponsor


def test_a_project_member_sees_only_projects_they_can_see(client, sponsor_member_off_team, cdmo_pm, changes):
    client.force_login(sponsor_member_off_team)
    body = client.get(URL).content.decode()
    assert "Move GMP-01" not in body and "No change requests yet" in body
    client.force_login(cdmo_pm)
    assert "Move GMP-01" in client.get(URL).content.decode()


def test_an_outsider_sees_nothing_in_the_page_or_the_csv(client, outsider, changes):
    own = staff_project(Project.objects.get(code="OTH-001"))
    change_with_options(own, title="Outsider own change")
    client.force_login(outsider)
    body = client.get(URL, {"q": "ACM"}).content.decode()
    assert "Move GMP-01" not in body and "ACM-101" not in body
    assert "Outsider own change" in client.get(URL).content.decode()
    rows = _csv(client.get(CSV_URL))
    assert [row[4] for row in rows[1:]] == ["Outsider own change"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "proposed"}, {"late", "open"}),
        ({"status": "approved"}, {"approved"}),
        ({"side": "sponsor"}, {"rejected"}),
        ({"side": "cdmo", "status": "rejected"}, set()),
        ({"overdue": "on"}, {"late"}),
        ({"q": "acm-1"}, {"late", "open", "approved", "rejected"}),
        ({"q": "northbridge"}, {"late", "open", "approved", "rejected"}),
        ({"q": "Nothing like it"}, set()),
        # Junk is no filter rather than an error page.
        (
            {"status": "junk", "side": "nobody", "page": "abc"},
            {"late", "open", "approved", "rejected"},
        ),
    ],
)
def test_filters(client, sponsor_exec, changes, params, expected):
    client.force_login(sponsor_exec)
    response = client.get(URL, params)
    assert response.status_code == 200
    shown = {key for key, change in changes.items() if change.get_absolute_url() in response.content.decode()}
    assert shown == expected
    if not expected:
        assert "No change request matches these filters" in response.content.decode()
    csv_titles = {row[4].removeprefix("'") for row in _csv(client.get(CSV_URL, params))[1:]}
    assert csv_titles == {changes[key].title for key in expected}


def test_csv_has_the_columns_and_neutralises_formulas(client, sponsor_exec, changes, decision_maker):
    client.force_login(sponsor_exec)
    response = client.get(CSV_URL)
    assert 'filename="change-log-2026-12-03.csv"' in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:5] == ["Project", "Project name", "Sponsor", "CDMO", "Change request"]
    by_title = {row[4]: row for row in rows}
    approved = by_title["Switch the resin supplier"]
    assert approved[9:14] == ["Approved", "no", "Approved: Suite B", decision_maker.full_name, "2026-12-03"]
    assert by_title["Move GMP-01 to suite B"][9:11] == ["Proposed", "yes"]
    assert '\'=HYPERLINK("http://evil")' in by_title  # a formula is text in a spreadsheet
    assert approved[14].endswith(changes["approved"].get_absolute_url())


def test_the_page_query_count_does_not_grow(client, sponsor_exec, project, cdmo, django_assert_num_queries):
    client.force_login(sponsor_exec)
    others = [ProjectFactory(sponsor=project.sponsor, cdmo=cdmo) for _ in range(3)]
    for p in [project, *others]:
        change_with_options(p)
    client.get(URL)  # session bookkeeping on the first request
    # The frame's reads (session, user, bell), the count and the page's rows: none grows with rows.
    with django_assert_num_queries(6) as small:
        client.get(URL)
    for i in range(40):
        change = change_with_options(others[i % 3])
        if i % 4 == 0:
            change.status = ChangeStatus.WITHDRAWN
            change.save()
    with django_assert_num_queries(6) as large:
        assert b"Next" in client.get(URL).content
    assert len(small.captured_queries) == len(large.captured_queries)


def test_anonymous_and_staff_without_an_organization_are_turned_away(client):
    assert client.get(URL).status_code == 302
    assert client.get(CSV_URL).status_code == 302


def test_the_dashboard_links_to_the_change_log(client, sponsor_exec):
    client.force_login(sponsor_exec)
    assert URL in client.get(reverse("monitoring:dashboard")).content.decode()
