"""A person's journey with the bell, in real Chromium against the live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.notifications.services import notify
from projects.notifications import project_subject
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tell(person, project, n: int, title: str):
    notify(
        recipients=[person],
        kind="update.published" if n else "flag.raised",
        dedupe_key=f"browser:{n}",
        title=title,
        body=f"Details of item {n}.",
        url=project.get_absolute_url(),
        subject=project_subject(project),
    )


def test_sponsor_lead_sees_the_bell_reads_one_in_place_and_follows_another(
    live_server, page: Page, project, sponsor_lead
):
    _tell(sponsor_lead, project, 0, "ACM-101: no status update for 12 days")
    _tell(sponsor_lead, project, 1, "ACM-101: status update published")
    _tell(sponsor_lead, project, 2, "ACM-101: milestone forecast moved")
    log_in(page, live_server.url, sponsor_lead.email)

    bell = page.locator("#notification-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications: 3 unread")
    expect(bell.locator(".bell-count")).to_have_text("3")
    bell.click()

    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_text("3 unread")).to_be_visible()
    # Mark one read in place (htmx): the item, the summary and the bell change without a reload.
    item = page.locator("li.notif-item", has_text="status update published")
    item.get_by_role("button", name=re.compile("Mark read")).click()
    expect(item).not_to_have_class(re.compile("is-unread"))
    expect(bell.locator(".bell-count")).to_have_text("2")
    expect(page.get_by_text("2 unread")).to_be_visible()

    # Following a notification marks it read and lands on what it is about.
    page.get_by_role("link", name=re.compile("no status update for 12 days")).click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/$"))
    expect(page.get_by_role("heading", name="Zanrelimab scale-up")).to_be_visible()
    expect(page.locator("#notification-bell .bell-count")).to_have_text("1")

    # Mark the rest read; the bell goes quiet.
    page.locator("#notification-bell").click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("Marked 1 notification as read.")).to_be_visible()
    expect(page.locator("#notification-bell .bell-count")).to_have_count(0)
    expect(page.get_by_text("You are all caught up.")).to_be_visible()


def test_choosing_a_daily_digest(live_server, page: Page, sponsor_lead):
    log_in(page, live_server.url, sponsor_lead.email)
    page.goto(f"{live_server.url}/notifications/preferences/")
    page.get_by_label(re.compile("One daily digest")).check()
    page.get_by_label("Send the daily digest at").select_option("06:00")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your email preferences are saved.")).to_be_visible()
    expect(page.get_by_label(re.compile("One daily digest"))).to_be_checked()
    expect(page.get_by_label("Send the daily digest at")).to_have_value("6")
