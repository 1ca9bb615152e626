"""Editing proposed working agreement terms in real Chromium: the CDMO project manager who proposed
them opens "Edit the proposed terms" from the Agreement tab, changes the governance rhythm and
saves; the sponsor's decision-maker approves the change with a signature and the edited terms are
in force. axe checks the pages on the way."""

import datetime

import pytest
from playwright.sync_api import Browser, expect

from portal.core import clock
from projects import services
from projects.models import AgreementStatus, WorkingAgreement
from tests.browser import sign_in
from tests.factories.organizations import DEFAULT_PASSWORD
from tests.test_accessibility import Audit

from .test_working_agreement import _in_force, _terms
from .update_helpers import access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_proposer_edits_the_terms_and_the_decider_approves_them(
    live_server, browser: Browser, project, sponsor_lead, cdmo_pm, decision_maker
):
    _in_force(project, sponsor_lead, cdmo_pm)
    change = services.agreement_propose_change(
        access=access(cdmo_pm, project),
        terms=_terms(sponsor_lead, cdmo_pm, governance_every_weeks=2),
        why="More frequent governance during the transfer.",
        needed_by=clock.localdate() + datetime.timedelta(days=10),
    )
    base = live_server.url
    audit = Audit()
    page = sign_in(browser, live_server, cdmo_pm)
    page.goto(f"{base}/projects/{project.pk}/agreement/")
    page.get_by_role("link", name="Edit the proposed terms").click()
    expect(page.get_by_role("heading", name="Edit the proposed working agreement v2")).to_be_visible()
    audit.check(page, "CDMO project manager")
    page.get_by_label("Governance meeting every").fill("0")
    page.get_by_role("button", name="Save the proposed terms").click()
    expect(page.get_by_label("Governance meeting every")).to_have_value("0")
    expect(page.get_by_label("Why change the agreement")).to_have_value(
        "More frequent governance during the transfer."
    )
    page.get_by_label("Governance meeting every").fill("3")
    page.get_by_role("button", name="Save the proposed terms").click()
    expect(page.get_by_text("Proposed terms saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Proposed working agreement v3")).to_be_visible()
    audit.check(page, "CDMO project manager")

    maker = sign_in(browser, live_server, decision_maker)
    maker.goto(base + change.get_absolute_url())
    expect(maker.get_by_role("heading", name="Proposed working agreement v3")).to_be_visible()
    approve = maker.locator("section", has=maker.get_by_role("heading", name="Approve an option"))
    approve.get_by_label("Adopt the proposed agreement").check()
    approve.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    approve.get_by_role("button", name="Sign and approve").click()
    expect(maker.get_by_text("Decision signed and recorded.")).to_be_visible()
    audit.check(maker, "sponsor decision-maker")
    in_force = WorkingAgreement.objects.get(status=AgreementStatus.IN_FORCE)
    assert in_force.number == 3 and in_force.governance_every_weeks == 3
    assert audit.failures == []
