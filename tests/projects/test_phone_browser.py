"""A project on a phone (390 px): every tab reachable, the milestone timeline zooms out.
Screenshots go to /tmp/g3-shots/ (or $SHOTS_DIR) for a person to look at."""

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.factories.projects import MilestoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g3-shots"))

# How many days of the chart the timeline's box shows, from the dates the SVG carries.
VISIBLE_DAYS = """() => {
  const box = document.getElementById("milestone-timeline");
  const svg = box.querySelector("svg");
  const days = (Date.parse(svg.dataset.end) - Date.parse(svg.dataset.start)) / 86400000;
  const share = (svg.dataset.chartRight - svg.dataset.chartLeft) / svg.viewBox.baseVal.width;
  const chart = svg.getBoundingClientRect().width * share;
  return Math.min(days, days * box.clientWidth / chart);
}"""

TODAY_IN_BOX = """() => {
  const box = document.getElementById("milestone-timeline").getBoundingClientRect();
  const today = [...document.querySelectorAll("#milestone-timeline text")].find(t => t.textContent === "Today");
  const x = today.getBoundingClientRect();
  return box.left <= x.left && x.right <= box.right;
}"""


@pytest.fixture
def phone(browser, live_server, sponsor_lead, cdmo_pm):
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, sponsor_lead.email)
    page.wait_for_url(re.compile(r"/projects/"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    return page


@pytest.fixture
def two_years_of_milestones(project, cdmo_pm):
    today = datetime.date.today()
    for months in (-9, -4, -1, 1, 2, 5, 8, 12, 15):
        MilestoneFactory(
            project=project, owner=cdmo_pm, baseline_date=today + datetime.timedelta(days=30 * months)
        )


def test_every_project_tab_is_reachable_on_a_phone(phone, live_server, project):
    phone.goto(f"{live_server.url}/projects/{project.pk}/milestones/")
    tabs = phone.locator("nav.tabs a")
    names = tabs.all_inner_texts()
    assert {"Overview", "Milestones", "Updates", "Meetings", "Team", "History"} <= {
        re.sub(r"\s+\d+$", "", name) for name in names
    }
    phone.screenshot(path=str(SHOTS / "tabs-390.png"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        tab.scroll_into_view_if_needed()
        expect(tab).to_be_in_viewport(ratio=1)
        box = tab.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], names[index]
    # And each one opens its page.
    tabs.filter(has_text="History").click()
    expect(phone).to_have_url(re.compile(r"/history/$"))


def test_the_milestone_timeline_zooms_out_on_a_phone(phone, live_server, project, two_years_of_milestones):
    phone.goto(f"{live_server.url}/projects/{project.pk}/milestones/")
    phone.screenshot(path=str(SHOTS / "timeline-390-default.png"), full_page=True)
    zoom = phone.get_by_role("navigation", name="Timeline range")
    expect(zoom).to_be_visible()
    shown, heights = {}, {}
    for label, key in (("3 months", "3m"), ("6 months", "6m"), ("1 year", "1y"), ("All", "all")):
        zoom.get_by_role("link", name=label).click()
        expect(phone).to_have_url(re.compile(rf"zoom={key}&w=\d+"))
        expect(zoom.get_by_role("link", name=label)).to_have_attribute("aria-current", "true")
        shown[key] = phone.evaluate(VISIBLE_DAYS)
        heights[key] = phone.locator("#milestone-timeline svg").bounding_box()["height"]
        phone.screenshot(path=str(SHOTS / f"timeline-390-{key}.png"), full_page=True)
        if key != "all":
            assert phone.evaluate(TODAY_IN_BOX), f"today is scrolled out of the timeline's box at {key}"
    (SHOTS / "timeline-days.txt").write_text(f"{shown}\n")
    assert 88 <= shown["3m"] <= 95, shown
    assert 178 <= shown["6m"] <= 188, shown
    assert 358 <= shown["1y"] <= 372, shown
    assert shown["all"] > 700, shown  # the whole two years and more
    # Drawn at its natural size: zooming stretches the chart, never the text.
    assert len(set(heights.values())) == 1, heights
    # The range stays when the milestones are filtered.
    phone.get_by_role("navigation", name="Show milestones").get_by_role("link", name="Open").click()
    expect(phone).to_have_url(re.compile(r"show=open&zoom=all"))
