"""Issue 12 in real Chromium: a sponsor admin proposes a project to a CDMO, the CDMO admin finds it
among the proposals waiting for them, reads it and accepts it, and the project is theirs too."""

import re

import pytest
from playwright.sync_api import Browser, expect

from portal.accounts.models import OrgRole
from projects.models import Project, ProposalStatus
from tests.browser import sign_in
from tests.factories.organizations import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sponsor_admin_proposes_and_cdmo_admin_accepts(
    live_server, browser: Browser, sponsor, cdmo, tmp_path
):
    sponsor_admin = UserFactory(organization=sponsor, org_role=OrgRole.ADMIN, full_name="Sam Sponsoradmin")
    cdmo_admin = UserFactory(organization=cdmo, org_role=OrgRole.ADMIN, full_name="Cora Cdmoadmin")
    base = live_server.url

    page = sign_in(browser, live_server, sponsor_admin)
    page.goto(f"{base}/projects/")
    page.get_by_role("link", name="+ New project").first.click()
    page.get_by_label("CDMO").select_option(label="Northbridge CDMO")
    page.get_by_label("Code").fill("sig-7")
    page.get_by_label("Name").fill("Sigma fill-finish")
    page.get_by_label("Description").fill("Fill-finish of the sigma peptide for phase 2.")
    page.get_by_label("Modality").select_option(label="Peptide")
    page.get_by_label("Clinical phase").select_option(label="Phase 2")
    page.get_by_label("Start date").fill("2026-11-02")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/team/$"))
    expect(page.get_by_text("Awaiting Northbridge CDMO's acceptance")).to_be_visible()
    project = Project.objects.get(code="SIG-7")
    assert project.proposal_status == ProposalStatus.PROPOSED

    cdmo_page = sign_in(browser, live_server, cdmo_admin)
    cdmo_page.set_viewport_size({"width": 1366, "height": 900})
    cdmo_page.goto(f"{base}/projects/")
    section = cdmo_page.get_by_role("region", name="Proposals waiting for you")
    expect(section).to_be_visible()
    section.screenshot(path=tmp_path / "proposals-section.png")
    cdmo_page.screenshot(path=tmp_path / "list-with-proposals.png", full_page=True)
    # The project itself is not open to the CDMO yet.
    assert cdmo_page.request.get(f"{base}/projects/{project.pk}/").status == 404
    section.get_by_role("link", name=re.compile("Sigma fill-finish")).click()
    expect(cdmo_page.get_by_role("heading", name="Proposal: Sigma fill-finish")).to_be_visible()
    expect(cdmo_page.get_by_text("Sam Sponsoradmin")).to_be_visible()
    cdmo_page.screenshot(path=tmp_path / "proposal-page.png", full_page=True)
    cdmo_page.get_by_role("button", name="Accept proposal").click()
    expect(cdmo_page).to_have_url(re.compile(rf"/projects/{project.pk}/team/$"))
    expect(cdmo_page.get_by_text("You accepted SIG-7")).to_be_visible()

    cdmo_page.goto(f"{base}/projects/")
    expect(cdmo_page.get_by_role("region", name="Proposals waiting for you")).to_have_count(0)
    expect(cdmo_page.get_by_role("link", name=re.compile("Sigma fill-finish"))).to_be_visible()
    project.refresh_from_db()
    assert project.proposal_status == ProposalStatus.ACCEPTED and project.decided_by == cdmo_admin
