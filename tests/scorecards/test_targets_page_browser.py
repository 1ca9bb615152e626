"""The scorecard-targets page in Chromium: it passes axe at desktop width and on a phone, and a
refused save comes back with the error next to its field and what was typed.
Screenshots go to /tmp/g3-shots/ (or $SHOTS_DIR) for a person to look at."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from playwright.sync_api import expect

from portal.accounts.models import OrgRole
from tests.browser import log_in
from tests.factories.organizations import UserFactory
from tests.test_accessibility import ALSO_FAILING, AXE_OPTIONS, FAILING_IMPACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g3-shots"))


def _axe(page):
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [
        (v["id"], [" ".join(node["target"]) for node in v["nodes"]])
        for v in violations
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING
    ]


@pytest.mark.parametrize(("name", "viewport"), [("desktop", (1280, 900)), ("390", (390, 844))])
def test_the_targets_page_is_accessible_and_keeps_what_was_typed(
    browser, live_server, sponsor, name, viewport
):
    admin = UserFactory(organization=sponsor, org_role=OrgRole.ADMIN, email="admin@acme.test")
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
    log_in(page, live_server.url, admin.email)
    page.wait_for_url(re.compile(r"/(projects|dashboard)/"))
    page.goto(live_server.url + reverse("organizations:members"))
    page.get_by_role("link", name="Set scorecard targets").click()
    expect(page.get_by_role("heading", name="Scorecard targets", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    assert _axe(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"targets-{name}.png"), full_page=True)

    on_time = page.get_by_role("group", name="On-time delivery")
    on_time.get_by_label("Target (%)").fill("70")
    on_time.get_by_label("Amber below (%)").fill("80")
    page.get_by_role("button", name="Save targets").click()
    on_time = page.get_by_role("group", name="On-time delivery")
    expect(on_time.get_by_text("The amber threshold must be at or below the target.")).to_be_visible()
    expect(on_time.get_by_label("Target (%)")).to_have_value("70")
    expect(on_time.get_by_label("Amber below (%)")).to_have_value("80")
    assert _axe(page) == []
    page.screenshot(path=str(SHOTS / f"targets-{name}-refused.png"), full_page=True)
