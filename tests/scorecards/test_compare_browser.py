"""The executives' comparison in Chromium, on a meeting-room screen (1440 px) and a phone (390 px):
the columns sort by a measure, a CDMO's column opens its projects, each opens its Health tab, and
every page passes axe. Screenshots go to /tmp/g2-shots/ (or $SHOTS_DIR) for a person to look at."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import reverse
from playwright.sync_api import expect

from oversight.scorecards.figures import refresh_projects, roll_up
from oversight.scorecards.quarters import Quarter
from portal.accounts.models import OrgRole
from projects.models import TeamRole
from tests.browser import log_in
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import staff_project
from tests.test_accessibility import ALSO_FAILING, AXE_OPTIONS, FAILING_IMPACTS

from .helpers import UTC, done_milestone, member, published, question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g2-shots"))


def _day(offset: int) -> dt.date:
    """A day of this quarter, `offset` days after its start and never after today (the live
    server runs on the real clock)."""
    today = dt.date.today()
    return min(Quarter.of(today).start + dt.timedelta(days=offset), today)


def _program(sponsor, cdmo, code, name, *, on_time: int, late: int, answered_in_hours=()):
    project = staff_project(
        sponsor=sponsor, cdmo=cdmo, code=code, name=name, start_date=_day(0) - dt.timedelta(days=200)
    )
    for i in range(on_time + late):
        baseline = _day(10 + i)
        done_milestone(
            project, baseline=baseline, actual=baseline + dt.timedelta(days=0 if i < on_time else 6)
        )
    for hours in answered_in_hours:
        update = published(project, dt.datetime.combine(_day(2), dt.time(9), tzinfo=UTC))
        asked = dt.datetime.combine(_day(2), dt.time(10), tzinfo=UTC)
        question(
            update,
            asked=asked,
            respond_by=asked + dt.timedelta(hours=48),
            answered=asked + dt.timedelta(hours=hours),
        )
    return project


@pytest.fixture
def portfolio():
    acme, borealis = SponsorFactory(name="Acme Biologics"), SponsorFactory(name="Borealis Pharma")
    northbridge, solace = (
        CDMOFactory(name="Northbridge Biologics"),
        CDMOFactory(name="Solace Pharma Services"),
    )
    veritas, halden = CDMOFactory(name="Veritas CDMO"), CDMOFactory(name="Halden Fill-Finish")
    first = _program(
        acme,
        northbridge,
        "ACM-101",
        "Anti-IL-23 mAb, phase 2 supply",
        on_time=5,
        late=1,
        answered_in_hours=(3, 20, 70),
    )
    _program(
        acme,
        northbridge,
        "ACM-102",
        "Bispecific process development",
        on_time=2,
        late=2,
        answered_in_hours=(5,),
    )
    _program(
        acme, solace, "ACM-201", "Oral tablet tech transfer", on_time=3, late=0, answered_in_hours=(2, 4, 6)
    )
    _program(acme, veritas, "ACM-301", "ADC conjugation scale-up", on_time=1, late=3)
    _program(
        acme, veritas, "ACM-302", "Linker-payload campaign", on_time=2, late=1, answered_in_hours=(30, 60, 90)
    )
    _program(acme, halden, "ACM-401", "Prefilled syringe fill", on_time=1, late=0)
    _program(borealis, northbridge, "BOR-001", "Borealis secret program", on_time=0, late=9)
    refresh_projects()
    roll_up()
    return {
        "acme_exec": UserFactory(organization=acme, org_role=OrgRole.EXECUTIVE, full_name="Ada Acheson"),
        "northbridge_exec": UserFactory(
            organization=northbridge, org_role=OrgRole.EXECUTIVE, full_name="Nils Brand"
        ),
        "first": first,
        "northbridge": northbridge,
    }


def _axe(page) -> list:
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [
        (v["id"], [" ".join(node["target"]) for node in v["nodes"]])
        for v in violations
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING
    ]


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_sponsor_executive_compares_its_cdmos_and_opens_one(browser, live_server, portfolio):
    page = browser.new_context(viewport=SCREEN).new_page()
    log_in(page, live_server.url, portfolio["acme_exec"].email)
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.get_by_role("link", name="Scorecards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your CDMOs side by side")
    page.get_by_role("link", name="Best first by on-time delivery").click()
    page.wait_for_url(re.compile(r"sort=on_time"))
    headers = page.locator("th.compare-column a").all_inner_texts()
    # On time, by hand: Solace 3/3, Halden 1/1 (too few), Northbridge 7/10, Veritas 3/7.
    assert headers == [
        "Solace Pharma Services",
        "Northbridge Biologics",
        "Veritas CDMO",
        "Halden Fill-Finish",
    ]
    expect(page.get_by_text("Borealis")).to_have_count(0)
    assert _axe(page) == []
    _shot(page, "compare-sponsor-1440.png")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _axe(page) == []
    _shot(page, "compare-sponsor-390.png")
    page.set_viewport_size(SCREEN)

    page.get_by_role("link", name="Northbridge Biologics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Biologics with Northbridge Biologics")
    assert page.locator("a.scorecard-measure").all_inner_texts() == ["ACM-101", "ACM-102"]
    assert _axe(page) == []
    _shot(page, "relationship-sponsor-1440.png")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _axe(page) == []
    _shot(page, "relationship-sponsor-390.png")
    page.get_by_role("link", name="ACM-101").click()
    page.wait_for_url(re.compile(reverse("scorecards:project_health", args=[portfolio["first"].pk]) + "$"))


def test_a_cdmo_executive_compares_its_sponsors_and_its_project_managers(browser, live_server, portfolio):
    page = browser.new_context(viewport=SCREEN).new_page()
    log_in(page, live_server.url, portfolio["northbridge_exec"].email)
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + reverse("scorecards:compare"))
    assert page.locator("th.compare-column a").all_inner_texts() == ["Acme Biologics", "Borealis Pharma"]
    assert _axe(page) == []
    _shot(page, "compare-cdmo-1440.png")
    page.get_by_role("link", name=re.compile("Project managers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your project managers side by side")
    names = page.locator("th.compare-column").all_inner_texts()
    assert len(names) == 3 and any(
        member(portfolio["first"], TeamRole.PROJECT_MANAGER).full_name in n for n in names
    )
    assert _axe(page) == []
    _shot(page, "compare-managers-1440.png")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _axe(page) == []
    _shot(page, "compare-managers-390.png")
    page.set_viewport_size(SCREEN)
    manager = member(portfolio["first"], TeamRole.PROJECT_MANAGER)
    page.get_by_role("link", name=manager.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Programs {manager.full_name} manages")
    assert "ACM-101" in page.locator("a.scorecard-measure").all_inner_texts()
    assert _axe(page) == []
    _shot(page, "manager-1440.png")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _axe(page) == []
