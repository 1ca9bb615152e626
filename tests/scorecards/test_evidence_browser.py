"""One click from a figure on the Health tab to the records behind it, in a real browser: the
figure is a link named for what it counts, the evidence page lists the records, and it passes
axe on a phone. Screenshots go to /tmp/g4-shots/ (or $SHOTS_DIR) for a person to look at."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from playwright.sync_api import expect

from oversight.scorecards.quarters import Quarter
from tests.browser import log_in
from tests.test_accessibility import ALSO_FAILING, AXE_OPTIONS, FAILING_IMPACTS

from .helpers import done_milestone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g4-shots"))


def test_a_figure_opens_the_records_it_counted(browser, live_server, project, sponsor_lead):
    # Last quarter (whatever today is): 4 milestones completed, 3 on their baseline, one 6 days late.
    last = Quarter.of(dt.date.today()).previous()
    for i in range(4):
        day = last.start + dt.timedelta(days=10 + i)
        done_milestone(project, baseline=day - dt.timedelta(days=6 if i == 3 else 0), actual=day)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("390", PHONE), ("desktop", DESKTOP)):
        page = browser.new_context(viewport=viewport).new_page()
        log_in(page, live_server.url, sponsor_lead.email)
        page.wait_for_url(re.compile(r"/projects/"))
        page.goto(live_server.url + reverse("scorecards:project_health", args=[project.pk]))
        # 3 of 4: 75 %.
        page.get_by_role(
            "link", name=f"75 %, On-time delivery, {last.label}: the 4 milestones counted"
        ).click()
        page.wait_for_url(re.compile(rf"/health/on_time/{last.slug}/$"))
        expect(page.get_by_role("heading", name=f"On-time delivery, {last.label}")).to_be_visible()
        table = page.get_by_role("table", name=f"The 4 milestones counted in {last.label}")
        expect(table.get_by_role("row")).to_have_count(5)  # the header and four records
        expect(table.get_by_role("cell", name="late", exact=True)).to_have_count(1)
        expect(table.get_by_role("cell", name="slip 6 days")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.evaluate(AXE_SCRIPT)
        violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
        assert [
            (v["id"], [" ".join(node["target"]) for node in v["nodes"]])
            for v in violations
            if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING
        ] == []
        page.screenshot(path=str(SHOTS / f"evidence-{name}.png"), full_page=True)
        page.context.close()
