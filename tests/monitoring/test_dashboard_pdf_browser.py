"""In a real browser: the executive asks for the dashboard PDF, waits on its page (which polls by
itself under the strict CSP), and downloads it once the worker is done. axe checks the pages in
both states and the list of the person's documents."""

import re

import pytest
from playwright.sync_api import expect

from oversight.monitoring.services import sweep
from portal.accounts.models import OrgRole
from portal.documents import services
from portal.documents.models import Document, DocumentStatus
from tests.browser import sign_in
from tests.factories.organizations import UserFactory
from tests.factories.projects import staff_project
from tests.test_accessibility import Audit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_document_page_shows_progress_then_the_download(browser, live_server, sponsor, cdmo, broker_down):
    for n in (1, 2):
        staff_project(sponsor=sponsor, cdmo=cdmo, code=f"ACM-{n}", name=f"Program {n}")
    sweep()
    executive = UserFactory(organization=sponsor, org_role=OrgRole.EXECUTIVE)
    page = sign_in(browser, live_server, executive)
    page.goto(f"{live_server.url}/dashboard/?attention_only=on")
    # The broker is down: the request queues the work (kept in the outbox) and answers at once.
    page.get_by_role("button", name="Download PDF").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    document = Document.objects.get()
    assert document.status == DocumentStatus.QUEUED and document.parameters == {"attention_only": "on"}
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_text("We'll also email you a link when it's ready")).to_be_visible()
    audit = Audit()
    audit.check(page, "executive")

    assert services.build_document(document_id=document.pk) == "ready"  # the worker's side
    link = page.get_by_role("link", name=re.compile(r"^Download escalation-dashboard-"))
    expect(link).to_be_visible(timeout=10_000)  # the page polls every 2 s
    expect(page.locator("progress")).to_have_count(0)
    audit.narrow_done.clear()  # the same route, now in its other state
    audit.check(page, "executive")
    with page.expect_download() as download:
        link.click()
    document.refresh_from_db()
    assert download.value.suggested_filename == document.filename
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.get_by_role("link", name="Your documents").click()
    expect(page.get_by_role("cell", name="Ready")).to_be_visible()
    audit.check(page, "executive")
    assert audit.failures == [] and audit.checks == 6
