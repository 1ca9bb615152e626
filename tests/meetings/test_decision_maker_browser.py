"""In a real browser: the PM schedules a steering committee leaving the decision-maker out, is
stopped before anything is sent, and chooses to invite the decision-maker and send."""

import datetime
import re
from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from portal.core.models import OutboxTask
from tests.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_governance_meeting_stops_for_the_decision_maker_then_invites_and_sends(
    browser, live_server, project, sponsor_lead, decision_maker, cdmo_pm, cdmo_sme, tmp_path
):
    base = live_server.url
    pm = sign_in(browser, live_server, cdmo_pm)
    pm.goto(f"{base}/projects/{project.pk}/meetings/new/?kind=governance")
    pm.get_by_label("Title").fill("Q3 steering committee")
    day = timezone.localdate() + datetime.timedelta(days=9)
    pm.get_by_label("Date").fill(day.isoformat())
    pm.get_by_label("Start time").fill("16:00")
    pm.get_by_label("Video link").fill("https://teams.example.com/l/steerco")
    pm.get_by_label(decision_maker.full_name).select_option("no")
    pm.get_by_role("button", name="Schedule and send invitations").click()

    warning = pm.locator("#dm-warning")
    expect(warning).to_contain_text("No decision-maker is invited")
    expect(warning).to_contain_text("Nothing has been sent yet")
    expect(warning).to_contain_text(f"{decision_maker.full_name}, Decision-maker on the Sponsor side")
    expect(pm.get_by_role("heading", name="No decision-maker is invited")).to_be_focused()
    assert not Meeting.objects.exists() and mail.outbox == []
    for width, height in ((1366, 900), (390, 844)):
        pm.set_viewport_size({"width": width, "height": height})
        assert pm.evaluate("document.documentElement.scrollWidth") <= width
        pm.screenshot(path=tmp_path / f"dm-warning-{width}.png", full_page=True)
    pm.set_viewport_size({"width": 1366, "height": 900})

    pm.get_by_role("button", name=f"Invite {decision_maker.full_name} and send").click()
    # htmx sends the form and follows HX-Redirect once the invitations are queued (and, with eager
    # tasks, sent), which can take longer than an assertion's default wait.
    pm.wait_for_url(re.compile(r"/meetings/\d+/agenda/$"), timeout=30_000)
    expect(pm.locator(".messages")).to_contain_text(f"{decision_maker.full_name} (Decision-maker) is invited")
    expect(pm.locator(".messages")).to_contain_text("will be sent to 4 people")
    meeting = Meeting.objects.get()
    assert meeting.title == "Q3 steering committee"
    assert meeting.decision_maker_invited and not meeting.sent_without_decision_maker
    recipients = Counter(address for message in mail.outbox for address in message.to)
    people = (cdmo_pm, sponsor_lead, decision_maker, cdmo_sme)
    assert recipients == Counter({person.email: 1 for person in people})
    assert OutboxTask.objects.filter(task_name="meetings.tasks.deliver_invitation").count() == 4
