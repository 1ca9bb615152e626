"""The organization admin's integration pages in Chromium, at desktop width and on a phone: the
webhooks (add an endpoint, its secret shown once, a test event in the log, a refused edit that
keeps what was typed, the edit saved and listed, the secret rotated with its overlap, the previous
secret stopped early, paused with the no-replay notice) and the API tokens (made, shown once,
revoked). A reload of each page that shows a secret shows it no more and makes or rotates nothing.
Every page passes axe (no serious or critical violation), fits the width, and the console stays
quiet (the autouse watch fails the test on a console error or a CSP violation). Screenshots go to
/tmp/g2-shots/ (or $SHOTS_DIR) for a person to look at."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from playwright.sync_api import Page, expect

from integration.api.models import ApiToken
from integration.webhooks.models import SubscriptionStatus, WebhookSubscription
from portal.accounts.models import OrgRole
from tests.browser import log_in
from tests.factories.organizations import UserFactory
from tests.test_accessibility import ALSO_FAILING, AXE_OPTIONS, FAILING_IMPACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g2-shots"))
VIEWPORTS = [("desktop", (1280, 900)), ("phone", (390, 844))]


def _check(page: Page, width: int) -> None:
    """No serious or critical axe violation, nothing wider than the screen."""
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    found = [
        (v["id"], [" ".join(node["target"]) for node in v["nodes"]])
        for v in violations
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING
    ]
    assert found == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _admin_page(browser, live_server, organization, viewport) -> Page:
    admin = UserFactory(organization=organization, org_role=OrgRole.ADMIN, full_name="Ada Admin")
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
    log_in(page, live_server.url, admin.email)
    page.wait_for_url(re.compile(r"/(projects|dashboard)/"))
    page.goto(live_server.url + reverse("organizations:members"))
    return page


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_an_admin_adds_tests_edits_rotates_and_pauses_a_webhook(
    browser, live_server, project, receiver, name, viewport
):
    width = viewport[0]
    page = _admin_page(browser, live_server, project.sponsor, viewport)
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    _check(page, width)

    # Add: the secret is shown once.
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("Description").fill("Data warehouse")
    page.get_by_label("Status update published").check()
    page.get_by_label("Red flag raised").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="Endpoint added")).to_be_visible()
    first_secret = page.locator("#webhook-secret").inner_text()
    assert first_secret.startswith("whsec_")
    _check(page, width)
    # A reload shows the page without the secret and adds nothing (POST-redirect-GET).
    page.reload()
    expect(page.get_by_role("heading", name="Signing secret already shown")).to_be_visible()
    expect(page.get_by_text(first_secret)).to_have_count(0)
    assert WebhookSubscription.objects.count() == 1
    _check(page, width)
    page.get_by_role("link", name="Back to the endpoint").click()
    expect(page.get_by_text(first_secret)).to_have_count(0)

    # A test event, delivered to the real receiver, shows in the log.
    page.get_by_role("button", name="Send a test event").click()
    log = page.get_by_role("region", name="Delivery log")
    expect(log.get_by_role("cell", name="Delivered")).to_be_visible()
    assert receiver.events() == ["ping"] and receiver.received[0].verifies(first_secret)

    # Edit: refused input comes back with the error and what was typed; then saved.
    page.get_by_role("link", name="Edit endpoint and events").click()
    page.get_by_label("Endpoint URL").fill("http://hooks.example.com/in")
    page.get_by_label("Description").fill("Warehouse, nightly")
    page.get_by_label("Meeting scheduled").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The endpoint must use https://.")).to_be_visible()
    expect(page.get_by_label("Endpoint URL")).to_have_value("http://hooks.example.com/in")
    expect(page.get_by_label("Description")).to_have_value("Warehouse, nightly")
    expect(page.get_by_label("Meeting scheduled")).to_be_checked()
    _check(page, width)
    _shot(page, f"webhook-edit-refused-{name}")
    page.get_by_label("Endpoint URL").fill(receiver.url + "/v2")
    page.get_by_role("button", name="Save changes").click()
    changes = page.get_by_role("region", name="Changes")
    expect(changes.get_by_text("Edited", exact=True)).to_be_visible()
    expect(changes.get_by_text("Description: “Data warehouse” → “Warehouse, nightly”")).to_be_visible()

    # Rotate: a new secret, once, and the overlap said.
    page.get_by_role("button", name="Rotate the secret").click()
    expect(page.get_by_role("heading", name="New signing secret")).to_be_visible()
    new_secret = page.locator("#webhook-secret").inner_text()
    assert new_secret.startswith("whsec_") and new_secret != first_secret
    expect(page.get_by_text("also carry a signature made with the previous secret")).to_be_visible()
    _check(page, width)
    _shot(page, f"webhook-rotated-{name}")
    rotated_version = WebhookSubscription.objects.get().version
    page.reload()  # rotates nothing
    expect(page.locator("#webhook-secret")).to_have_count(0)
    expect(page.get_by_text(new_secret)).to_have_count(0)
    assert WebhookSubscription.objects.get().version == rotated_version
    page.get_by_role("link", name="Back to the endpoint").click()
    expect(page.get_by_text("also signed with the previous secret")).to_be_visible()

    # The previous secret leaked: stop signing with it now; the change is listed.
    page.get_by_role("button", name="Stop signing with the previous secret now").click()
    expect(page.get_by_text("Stopped: deliveries are now signed with the new secret only.")).to_be_visible()
    expect(page.get_by_text("also signed with the previous secret")).to_have_count(0)
    expect(page.get_by_role("button", name="Stop signing with the previous secret now")).to_have_count(0)
    expect(changes.get_by_text("Signing with the previous secret stopped", exact=True)).to_be_visible()
    _check(page, width)
    page.get_by_role("button", name="Send a test event").click()
    expect(log.get_by_role("cell", name="Delivered")).to_have_count(2)
    assert receiver.received[-1].verifies(new_secret) and not receiver.received[-1].verifies(first_secret)

    # Pause: the page says that what happens meanwhile is never sent.
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("not sent, not even after you resume it")).to_be_visible()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    _check(page, width)
    _shot(page, f"webhook-detail-{name}")

    subscription = WebhookSubscription.objects.get()
    assert (subscription.url, subscription.description, subscription.status) == (
        receiver.url + "/v2",
        "Warehouse, nightly",
        SubscriptionStatus.PAUSED,
    )
    assert subscription.events == ["flag.raised", "meeting.scheduled", "update.published"]

    page.get_by_role("link", name="← All endpoints").click()
    expect(page.get_by_role("link", name=receiver.url + "/v2")).to_be_visible()
    _check(page, width)
    _shot(page, f"webhooks-list-{name}")


@pytest.mark.parametrize(("name", "viewport"), VIEWPORTS)
def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(browser, live_server, project, name, viewport):
    width = viewport[0]
    page = _admin_page(browser, live_server, project.sponsor, viewport)
    page.get_by_role("link", name="Manage API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    _check(page, width)

    page.get_by_label("Name").fill("Warehouse nightly load")
    page.get_by_role("button", name="Make token").click()
    secret = page.locator("code.api-secret").inner_text()
    assert re.fullmatch(r"mrd_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret)
    _check(page, width)
    _shot(page, f"api-token-made-{name}")

    page.reload()  # POST-redirect-GET: the secret is gone and no second token is made
    expect(page.get_by_text(secret)).to_have_count(0)
    expect(page.get_by_text("was shown once and cannot be shown again")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Warehouse nightly load"))).to_have_count(1)
    assert ApiToken.objects.count() == 1
    page.goto(live_server.url + reverse("api:tokens"))  # never shown again
    expect(page.get_by_text(secret)).to_have_count(0)
    row = page.get_by_role("row", name=re.compile("Warehouse nightly load"))
    expect(row.get_by_text("Active")).to_be_visible()
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Token “Warehouse nightly load” revoked: it no longer works.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Warehouse nightly load"))
    expect(row.get_by_text(re.compile("Revoked"))).to_be_visible()
    _check(page, width)
    _shot(page, f"api-tokens-{name}")
    assert ApiToken.objects.get().revoked_at is not None
