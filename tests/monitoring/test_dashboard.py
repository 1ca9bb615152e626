import csv
import datetime as dt
import io
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.selectors import flag_summary
from oversight.monitoring.services import sweep
from portal.accounts.models import OrgRole
from portal.documents.models import Document
from projects.models import ProjectMember, TeamRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import staff_project
from tests.http import text

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


def _published(project, days_ago):
    project.last_update_published_at = NOW - dt.timedelta(days=days_ago)
    project.next_update_due = timezone.localdate(project.last_update_published_at) + dt.timedelta(days=7)
    project.save()


@pytest.fixture
def world(db):
    sponsor, other_sponsor = SponsorFactory(name="Acme Bio"), SponsorFactory(name="Other Pharma")
    cdmo_a, cdmo_b = CDMOFactory(name="Alpha CDMO"), CDMOFactory(name="Beta CDMO")
    healthy = staff_project(
        sponsor=sponsor, cdmo=cdmo_a, code="ACM-1", name="Healthy program", start_date=dt.date(2026, 1, 5)
    )
    stale = staff_project(
        sponsor=sponsor, cdmo=cdmo_b, code="ACM-2", name="Stale program", start_date=dt.date(2026, 1, 5)
    )
    no_dm = staff_project(
        sponsor=sponsor, cdmo=cdmo_a, code="ACM-3", name="Leaderless program", start_date=dt.date(2026, 1, 5)
    )
    foreign = staff_project(
        sponsor=other_sponsor,
        cdmo=cdmo_a,
        code="OTH-1",
        name="Other sponsor's program",
        start_date=dt.date(2026, 1, 5),
    )
    for project in (healthy, no_dm, foreign):
        _published(project, 1)
    _published(stale, 20)
    ProjectMember.objects.filter(project__in=[no_dm, stale], role=TeamRole.DECISION_MAKER).update(
        removed_at=NOW
    )
    with time_machine.travel(NOW, tick=False):
        sweep(now=NOW)
    return {
        "sponsor_exec": UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE),
        "cdmo_exec": UserFactory(organization=cdmo_a, org_role=OrgRole.EXECUTIVE),
        "projects": (healthy, stale, no_dm, foreign),
    }


@time_machine.travel(NOW, tick=False)
def test_sponsor_executive_sees_all_programs_across_cdmos_sorted_by_attention(client, world):
    client.force_login(world["sponsor_exec"])
    response = client.get(reverse("monitoring:dashboard"))
    codes = [p.code for p in response.context["rows"]]
    assert codes == ["ACM-2", "ACM-3", "ACM-1"]  # stale and leaderless first, the healthy one last
    body = response.content.decode()
    assert "OTH-1" not in body
    assert "No recent status update" in body and "No decision-maker on the project" in body
    assert "How the attention score is built" in body


@time_machine.travel(NOW, tick=False)
def test_cdmo_executive_sees_programs_across_sponsors(client, world):
    client.force_login(world["cdmo_exec"])
    codes = {p.code for p in client.get(reverse("monitoring:dashboard")).context["rows"]}
    assert codes == {"ACM-1", "ACM-3", "OTH-1"}  # Alpha's programs for both sponsors, not Beta's


@time_machine.travel(NOW, tick=False)
def test_filters(client, world):
    client.force_login(world["sponsor_exec"])

    def codes(**params):
        return [p.code for p in client.get(reverse("monitoring:dashboard"), params).context["rows"]]

    assert codes(flag_kind=FlagKind.STALE_UPDATE) == ["ACM-2"]
    assert codes(attention_only="on") == ["ACM-2", "ACM-3"]
    assert codes(q="healthy") == ["ACM-1"]
    assert codes(counterparty=world["projects"][1].cdmo_id) == ["ACM-2"]
    assert codes(status="bogus") == codes()  # junk is ignored, never a 500


@time_machine.travel(NOW, tick=False)
def test_dashboard_queries_do_not_grow_with_projects(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["sponsor_exec"])
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("monitoring:dashboard"))
    sponsor = world["sponsor_exec"].organization
    for i in range(25):
        _published(
            staff_project(sponsor=sponsor, cdmo=world["projects"][0].cdmo, start_date=dt.date(2026, 1, 5)), i
        )
    sweep(now=NOW)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("monitoring:dashboard"))
    assert len(small) == len(large)
    assert len(large) <= 12


@time_machine.travel(NOW, tick=False)
def test_csv_export_has_the_same_rows_and_filters(client, world):
    client.force_login(world["sponsor_exec"])
    response = client.get(reverse("monitoring:dashboard_csv"), {"attention_only": "on"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert [r["Code"] for r in rows] == ["ACM-2", "ACM-3"]
    assert rows[0]["Days since last update"] == "20"
    assert "No update published since 29 Oct 2026" in rows[0]["Communication flags"]


@time_machine.travel(NOW, tick=False)
def test_pdf_export_contains_the_programs_and_their_flags(client, world, django_capture_on_commit_callbacks):
    """Asked for with a POST, built by the worker (tests/monitoring/test_dashboard_pdf.py has the rest)."""
    client.force_login(world["sponsor_exec"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:dashboard_pdf"))
    document = Document.objects.get()
    assert response["Location"] == document.get_absolute_url()
    download = client.get(reverse("documents:download", kwargs={"document_id": document.pk}))
    assert download["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", document.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Escalation dashboard" in text
    for code in ("ACM-1", "ACM-2", "ACM-3"):
        assert code in text
    assert "OTH-1" not in text
    # Each row names its flags; what they say is on the Flags page and in the CSV (the legend).
    assert "No recent status update" in text
    assert "No update published since" not in text
    assert "in the CSV export" in " ".join(text.split())


@time_machine.travel(NOW, tick=False)
def test_trend_counts_flags_raised_and_cleared_per_week(world):
    user = world["sponsor_exec"]
    flag = Flag.objects.get(kind=FlagKind.STALE_UPDATE)
    Flag.objects.filter(pk=flag.pk).update(
        raised_at=NOW - dt.timedelta(days=14), cleared_at=NOW - dt.timedelta(days=7)
    )
    trend, _counts = flag_summary(user=user, today=timezone.localdate(NOW))
    assert len(trend.weeks) == 12 and trend.weeks[-1] == dt.date(2026, 11, 16)
    assert trend.raised[-3] == 1 and trend.cleared[-2] == 1
    assert trend.raised[-1] == Flag.objects.filter(raised_at=NOW, project__sponsor=user.organization).count()


@time_machine.travel(NOW, tick=False)
def test_project_flags_page_lists_open_and_cleared(client, world):
    stale = world["projects"][1]
    client.force_login(world["sponsor_exec"])
    body = client.get(reverse("monitoring:project_flags", args=[stale.pk])).content.decode()
    assert "No update published since 29 Oct 2026; the agreed cadence is 7 days." in body
    project_page = client.get(stale.get_absolute_url()).content.decode()
    assert "open flags" in project_page
