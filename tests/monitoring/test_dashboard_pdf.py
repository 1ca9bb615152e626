"""The dashboard as a PDF: asked for in the request, built by the worker (portal/documents),
handed over on the document's page, by a download link and by email. Tasks run eagerly through
the real outbox path (enqueue_on_commit -> PortalTask claims the row -> the build)."""

import datetime as dt
import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from oversight.monitoring.models import Flag
from oversight.monitoring.selectors import FLAG_COLUMNS
from oversight.monitoring.services import sweep
from portal.accounts.models import OrgRole
from portal.core.models import OutboxStatus, OutboxTask
from portal.documents.models import Document, DocumentStatus
from portal.notifications.models import Notification
from projects.models import ProjectMember, TeamRole
from tests.factories.documents import DocumentFactory
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import MilestoneFactory, staff_project

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
BUILD = "documents.build"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    sponsor, other_sponsor = SponsorFactory(name="Acme Bio"), SponsorFactory(name="Other Pharma")
    cdmo = CDMOFactory(name="Alpha CDMO")
    projects = [
        staff_project(
            sponsor=sponsor, cdmo=cdmo, code=f"ACM-{n}", name=f"Program {n}", start_date=dt.date(2026, 1, 5)
        )
        for n in (1, 2, 3)
    ]
    staff_project(
        sponsor=other_sponsor, cdmo=cdmo, code="OTH-1", name="Foreign", start_date=dt.date(2026, 1, 5)
    )
    # ACM-2 has no decision-maker: a critical flag, so it comes first.
    ProjectMember.objects.filter(project=projects[1], role=TeamRole.DECISION_MAKER).update(removed_at=NOW)
    sweep(now=NOW)
    return {
        "exec": UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE, email="exec@acme.test"),
        "colleague": UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE),
        "outsider": UserFactory(organization=other_sponsor, org_role=OrgRole.ADMIN),
        "projects": projects,
    }


def _ask(client, user, query="", *, run=True, capture=None):
    """POST "Download PDF" from the dashboard with `query`; with `run`, the commit runs the work."""
    client.force_login(user)
    url = reverse("monitoring:dashboard_pdf") + (f"?{query}" if query else "")
    if not run:
        return client.post(url)
    with capture(execute=True):
        return client.post(url)


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(info.split("Pages:")[1].split()[0])


def test_the_dashboard_offers_the_pdf_as_a_post_with_its_filters(client, world):
    client.force_login(world["exec"])
    body = client.get(reverse("monitoring:dashboard"), {"attention_only": "on"}).content.decode()
    assert 'method="post" action="/dashboard/pdf/?attention_only=on"' in body
    assert "Download PDF" in body
    # A GET (an old bookmark) builds nothing and goes back to the dashboard with its filters.
    response = client.get(reverse("monitoring:dashboard_pdf"), {"attention_only": "on", "junk": "x"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/?attention_only=on"
    assert not Document.objects.exists()


def test_the_request_queues_the_build_and_the_worker_builds_it(
    client, world, django_capture_on_commit_callbacks
):
    response = _ask(client, world["exec"], "q=ACM-2&sort=-score", capture=django_capture_on_commit_callbacks)
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    assert document.parameters == {"q": "ACM-2", "sort": "-score"}
    assert document.requested_by == world["exec"] and document.organization == world["exec"].organization
    assert document.status == DocumentStatus.READY
    assert (document.done, document.total, document.attempts) == (1, 1, 1)  # one program matches
    row = OutboxTask.objects.get(task_name=BUILD)
    assert (
        row.args == [document.pk]
        and row.status == OutboxStatus.DONE
        and row.triggered_by_id == world["exec"].pk
    )

    content = document.file.read()
    assert content.startswith(b"%PDF")
    text = _pdf_text(document.file.path)
    assert "Escalation dashboard" in text and "ACM-2" in text
    assert "ACM-1" not in text and "OTH-1" not in text  # filtered; another tenant's
    assert "matching Search: ACM-2" in text
    assert "The first" not in text and document.note == ""

    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert f'href="/documents/{document.pk}/download/"' in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling
    download = client.get(f"/documents/{document.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    assert b"".join(download.streaming_content) == content

    notification = Notification.objects.get(recipient=world["exec"], kind="document.ready")
    assert notification.url == f"/documents/{document.pk}/"
    [email] = mail.outbox
    assert email.to == ["exec@acme.test"] and "escalation dashboard PDF is ready" in email.subject
    assert f"{settings.SITE_URL}/documents/{document.pk}/download/" in email.body


def test_more_programs_than_the_cap_say_so_and_link_the_csv(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.DASHBOARD_PDF_MAX_ROWS = 2
    _ask(client, world["exec"], "sort=updated", capture=django_capture_on_commit_callbacks)
    document = Document.objects.get()
    assert (document.done, document.total) == (2, 2)
    assert (
        document.note
        == "The first 2 of 3 programs, in the dashboard's order; the full list is in the CSV export."
    )
    text = _pdf_text(document.file.path)
    assert (
        "The first 2 of 3 programs, in the dashboard's order; the full list is in the CSV export."
        in " ".join(text.split())
    )
    assert _pages(document.file.path) >= 1
    assert urlsplit(document.link_url).path == reverse("monitoring:dashboard_csv")
    assert parse_qs(urlsplit(document.link_url).query) == {"sort": ["updated"]}
    page = client.get(document.get_absolute_url()).content.decode()
    assert (
        escape(document.note) in page
        and document.link_url in page
        and "Download every program as CSV" in page
    )


def test_only_the_requester_sees_their_document(client, world):
    document = DocumentFactory(requested_by=world["exec"])
    urls = [f"/documents/{document.pk}/", f"/documents/{document.pk}/download/"]
    for stranger in (world["colleague"], world["outsider"]):
        client.force_login(stranger)
        for url in urls:
            assert client.get(url).status_code == 404
        assert client.post(f"/documents/{document.pk}/retry/").status_code == 404
        assert "You have not asked for any documents yet" in client.get("/documents/").content.decode()
    client.force_login(world["exec"])
    assert all(client.get(url).status_code == 200 for url in urls)
    assert "Escalation dashboard PDF" in client.get("/documents/").content.decode()


def test_a_row_names_and_counts_its_flags_and_says_each_thing_once(
    client, world, django_capture_on_commit_callbacks
):
    """A row stays a line or two high: a flag cell names and counts each kind of flag (what each
    one says is on the dashboard and in the CSV), the worst slip is a line of the Delivery cell,
    and the viewer's own organization is said once, in the header, not on every row."""
    lone, busy, slipping = world["projects"][1], world["projects"][2], world["projects"][0]
    ProjectMember.objects.filter(
        project=busy, role__in=[TeamRole.DECISION_MAKER, TeamRole.SPONSOR_LEAD]
    ).update(removed_at=NOW)
    baseline = NOW.date() + dt.timedelta(days=40)
    MilestoneFactory(project=slipping, baseline_date=baseline, forecast_date=baseline + dt.timedelta(days=21))
    sweep(now=NOW)
    people = {
        project.code: list(
            Flag.objects.filter(project=project, cleared_at__isnull=True, kind__in=FLAG_COLUMNS["people"])
        )
        for project in (lone, busy)
    }
    assert len({flag.kind for flag in people["ACM-2"]}) == 1 and len({f.kind for f in people["ACM-3"]}) >= 2

    _ask(client, world["exec"], "q=ACM-", capture=django_capture_on_commit_callbacks)
    path = Document.objects.get().file.path
    lines = _pdf_text(path).splitlines()
    text = " ".join(" ".join(lines).split())
    for flag in [*people["ACM-2"], *people["ACM-3"]]:
        assert flag.get_kind_display().split()[0] in text
        assert " ".join(flag.explanation.split()[:4]) not in text
    assert "Worst slip +21 d" in text
    assert "what each one says is on the program's Flags page and in the CSV export" in text
    # The viewer's organization: in the running header of each page and once in the lead.
    assert text.count("Acme Bio") == _pages(path) + 1
    rows = [line for line in lines if re.search(r"ACM-\d", line)]
    assert len(rows) == 3 and not [line for line in rows if "Acme Bio" in line]
    # The other side differs from row to row: each row names it, and the column says so.
    assert text.count("Alpha CDMO") == 3 and "PROJECT · CDMO" in text


def test_the_other_side_is_said_once_when_the_filters_name_it(
    client, world, django_capture_on_commit_callbacks
):
    cdmo = world["projects"][0].cdmo
    _ask(client, world["exec"], f"q=ACM-&counterparty={cdmo.pk}", capture=django_capture_on_commit_callbacks)
    text = " ".join(_pdf_text(Document.objects.get().file.path).split())
    assert "ACM-1" in text and "ACM-3" in text
    assert text.count("Alpha CDMO") == 1 and "CDMO: Alpha CDMO" in text  # in the header's filters
    assert "PROJECT · CDMO" not in text
