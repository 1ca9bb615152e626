"""Issue 14 in real Chromium: the CDMO project manager drafts the working agreement, signs it; the
sponsor's project lead reads it and signs too, and it is in force, both signatures manifested.
axe checks the pages on the way."""

import re

import pytest
from playwright.sync_api import Browser, expect

from projects.models import AgreementStatus, Project, WorkingAgreement
from tests.browser import sign_in
from tests.factories.organizations import DEFAULT_PASSWORD
from tests.test_accessibility import Audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_both_leads_sign_the_working_agreement(live_server, browser: Browser, project, sponsor_lead, cdmo_pm):
    base = live_server.url
    audit = Audit()
    page = sign_in(browser, live_server, cdmo_pm)
    page.goto(f"{base}/projects/{project.pk}/")
    page.get_by_role("link", name="Agreement").click()
    expect(page.get_by_role("heading", name="No working agreement yet")).to_be_visible()
    audit.check(page, "CDMO project manager")
    page.get_by_role("link", name="Draft the working agreement").click()
    page.get_by_label("Status update every").fill("14")
    page.get_by_label("Governance meeting every").fill("4")
    page.get_by_label("Governance forum").fill("Joint steering committee, video call")
    page.get_by_label("Critical: acknowledge within").fill("2")
    page.get_by_label("Sponsor escalation contact").select_option(label="Emily Carter (Project lead)")
    page.get_by_label("CDMO escalation contact").select_option(label="Lena Hoffmann (Project manager)")
    page.get_by_label("How to escalate").fill("Call the other side's contact within one business day.")
    # The scorecard terms: a tolerance, and a target agreed for one measure (the rest left blank).
    page.get_by_label("On-time delivery tolerance").fill("3")
    on_time = page.get_by_role("group", name="On-time delivery, about the CDMO")
    on_time.get_by_label("Target (%)").fill("90")
    on_time.get_by_label("Amber below (%)").fill("80")
    on_time.get_by_label("Red below (%)").fill("70")
    page.get_by_role("group", name="Scorecard").screenshot(path="/tmp/g1-shots/agreement-scorecard-form.png")
    audit.check(page, "CDMO project manager")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", name="Draft: working agreement v1")).to_be_visible()
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_text("Signed. The other side's lead is told.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Signed by Lena Hoffmann, .* meaning Agreed"))).to_be_visible()

    sponsor = sign_in(browser, live_server, sponsor_lead)
    sponsor.goto(f"{base}/projects/{project.pk}/agreement/")
    expect(sponsor.get_by_text("Sponsor project lead: Emily Carter")).to_be_visible()
    audit.check(sponsor, "sponsor project lead")
    sponsor.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    sponsor.get_by_role("button", name="Sign the agreement").click()
    expect(sponsor.get_by_role("heading", name="Working agreement v1")).to_be_visible()
    expect(sponsor.get_by_text(re.compile("In force since"))).to_be_visible()
    expect(sponsor.get_by_text(re.compile(r"Signed by Emily Carter, .* meaning Agreed"))).to_be_visible()
    expect(sponsor.get_by_text("3 calendar days after the baseline date")).to_be_visible()
    agreed = sponsor.get_by_role("table", name=re.compile("Scorecard targets agreed"))
    expect(agreed.get_by_role("row", name=re.compile("On-time delivery"))).to_contain_text("90 %")
    sponsor.screenshot(path="/tmp/g1-shots/agreement-in-force.png", full_page=True)
    audit.check(sponsor, "sponsor project lead")
    assert WorkingAgreement.objects.get().status == AgreementStatus.IN_FORCE
    assert Project.objects.get(pk=project.pk).update_cadence_days == 14
    assert WorkingAgreement.objects.get().scorecard_targets == {"on_time": [90, 80, 70]}
    assert audit.failures == []
