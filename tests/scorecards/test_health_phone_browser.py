"""The Health tab on a phone (390 px): the page does not scroll sideways, the table does, and the
measure's name and each side's heading stay in view while the quarters scroll past.
Screenshots go to /tmp/g3-shots/ (or $SHOTS_DIR) for a person to look at."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from playwright.sync_api import expect

from oversight.scorecards.quarters import last_quarters
from tests.browser import log_in
from tests.projects.test_working_agreement import _in_force
from tests.test_accessibility import ALSO_FAILING, AXE_OPTIONS, FAILING_IMPACTS

from .helpers import UTC, change, done_milestone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _history(project, today):
    """Five quarters of milestones and decisions, oldest to newest: (on time, late) milestones
    and (on time, late) decisions a quarter, so the tab has colours, a score and trends."""
    quarters = list(reversed(last_quarters(today)))
    milestones = [(4, 1), (3, 2), (5, 1), (4, 0), (3, 1)]
    decisions = [(1, 1), (2, 2), (3, 1), (2, 0), (2, 1)]
    for quarter, (kept, late), (on_time, slow) in zip(quarters, milestones, decisions, strict=True):
        days = [min(quarter.start + dt.timedelta(days=i), today) for i in range(kept + late)]
        for i, day in enumerate(days):
            slip = dt.timedelta(days=4 + i if i >= kept else 0)
            done_milestone(project, baseline=day - slip, actual=day)
        for i in range(on_time + slow):
            needed = min(quarter.start + dt.timedelta(days=i), today - dt.timedelta(days=1))
            decided = dt.datetime.combine(needed, dt.time(9), tzinfo=UTC)
            change(project, needed_by=needed, decided=decided + dt.timedelta(days=3 if i >= on_time else -1))


SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g3-shots"))


def test_the_scorecard_scrolls_sideways_with_the_names_in_view(
    browser, live_server, project, sponsor_lead, cdmo_pm
):
    today = dt.date.today()
    _history(project, today)
    # The working agreement in force agrees an on-time target (and a tolerance): the tab says so.
    _in_force(
        project, sponsor_lead, cdmo_pm, on_time_tolerance_days=2, scorecard_targets={"on_time": [85, 75, 60]}
    )
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, sponsor_lead.email)
    page.wait_for_url(re.compile(r"/projects/"))
    page.goto(live_server.url + reverse("scorecards:project_health", args=[project.pk]))

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "health-390-start.png"), full_page=True)
    sponsor = page.get_by_role("rowheader", name="The sponsor", exact=True)
    measure = page.locator("th .scorecard-measure", has_text="Decisions on time")
    wrap = page.locator(".table-wrap")
    wrap.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert wrap.evaluate("box => box.scrollLeft") > 100  # the table did scroll
    sponsor.scroll_into_view_if_needed()
    for name in (page.locator(".scorecard-group-name", has_text="The sponsor"), measure):
        expect(name).to_be_in_viewport(ratio=1)
        box = name.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    # The grouped table passes axe at this width (the whole walk checks it too, far more slowly).
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    assert [
        (v["id"], [" ".join(node["target"]) for node in v["nodes"]])
        for v in violations
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING
    ] == []
    expect(page.get_by_text("Agreed in the working agreement v1", exact=True)).to_have_count(1)
    expect(
        page.get_by_text("Tolerance now: 2 calendar days, agreed in the working agreement v1.")
    ).to_have_count(1)
    # Each measure's trend line has its text alternative.
    expect(
        page.get_by_role("img", name=re.compile(r"^On-time delivery by quarter, oldest first"))
    ).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "health-390.png"), full_page=True)
    desktop = page.context.browser.new_context(viewport=DESKTOP).new_page()
    log_in(desktop, live_server.url, sponsor_lead.email)
    desktop.wait_for_url(re.compile(r"/projects/"))
    desktop.goto(page.url)
    assert desktop.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    desktop.screenshot(path=str(SHOTS / "health-desktop.png"), full_page=True)
