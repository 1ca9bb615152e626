"""The change log in real Chromium: an executive reaches it from the dashboard, filters it, and the
page passes axe-core on a laptop and on a phone."""

import datetime

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, expect

from projects import services
from tests.browser import sign_in
from tests.factories.projects import change_with_options

from .update_helpers import access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}


def _axe_problems(page) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
        or v["id"] in {"heading-order", "region", "empty-table-header"}
    ]


def test_an_executive_finds_filters_and_reads_the_change_log(
    live_server, browser: Browser, project, sponsor_exec, decision_maker, cdmo_pm
):
    today = datetime.date.today()
    change_with_options(project, title="Move GMP-01 to suite B", needed_by=today - datetime.timedelta(days=3))
    change_with_options(project, title="Add a third engineering batch")
    approved = change_with_options(project, title="Switch the resin supplier")
    services.change_approve(
        access=access(decision_maker, project),
        change=approved,
        option=approved.recommended_option,
        reason="Keeps the filing date.",
    )

    page = sign_in(browser, live_server, sponsor_exec)  # lands on the dashboard
    page.get_by_role("link", name="Change log").click()
    expect(page.get_by_role("heading", name="Change log", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Switch the resin supplier")).to_be_visible()
    expect(page.get_by_text("Signed by Michael Ross")).to_be_visible()
    assert _axe_problems(page) == []

    page.get_by_label("Past needed-by only").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Move GMP-01 to suite B")).to_be_visible()
    expect(page.get_by_role("link", name="Switch the resin supplier")).to_have_count(0)
    expect(page.get_by_label("Past needed-by only")).to_be_checked()

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Past needed-by only").uncheck()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Switch the resin supplier")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    assert _axe_problems(page) == []

    page.get_by_label("Project or party").fill("nothing like it")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="No change request matches these filters")).to_be_visible()
    assert _axe_problems(page) == []
