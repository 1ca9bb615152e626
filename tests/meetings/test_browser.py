"""The meeting cycle in a real browser: the CDMO PM schedules a meeting with invitees and an
agenda, records attendance and minutes with a decision and an action item, closes it; the
sponsor lead confirms the minutes; the action item's owner marks it done in place (htmx)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ActionItem, Meeting, MeetingStatus
from tests.browser import sign_in
from tests.factories.organizations import DEFAULT_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_schedule_record_close_and_sponsor_confirms(
    browser, live_server, project, sponsor_lead, decision_maker, cdmo_pm, cdmo_sme
):
    base = live_server.url
    pm = sign_in(browser, live_server, cdmo_pm)

    # Schedule next week's call from the project's Meetings tab.
    pm.goto(f"{base}/projects/{project.pk}/meetings/")
    expect(pm.get_by_text("Nothing scheduled")).to_be_visible()
    pm.get_by_role("link", name="+ Schedule a meeting").first.click()
    pm.get_by_label("Kind of meeting").select_option(label="Weekly project call")
    pm.get_by_label("Title").fill("Weekly call: engineering batch")
    day = timezone.localdate() + datetime.timedelta(days=2)
    pm.get_by_label("Date").fill(day.isoformat())
    pm.get_by_label("Start time").fill("15:00")
    pm.get_by_label("Video link").fill("https://teams.example.com/l/acm-101")
    pm.get_by_label(decision_maker.full_name).select_option("optional")
    pm.get_by_label("Guests").fill("Gina Guest <gina@consult.test>")
    pm.get_by_role("button", name="Schedule and send invitations").click()
    # The form is sent with htmx, which follows HX-Redirect once the invitations are out.
    pm.wait_for_url(re.compile(r"/meetings/\d+/agenda/$"), timeout=30_000)
    expect(pm.locator(".messages")).to_contain_text(
        "Invitations with a calendar entry will be sent to 5 people"
    )
    meeting = Meeting.objects.get()
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 14  # 15:00 Berlin in winter
    assert {m.to[0] for m in mail.outbox} >= {sponsor_lead.email, "gina@consult.test"}

    # The agenda, sent ahead.
    pm.get_by_label("Agenda point").fill("Engineering batch readiness")
    pm.get_by_label("Presenter").select_option(label=cdmo_sme.full_name)
    pm.get_by_label("Minutes").fill("20")
    pm.get_by_role("button", name="Add to the agenda").click()
    expect(pm.locator("ol.agenda")).to_contain_text("Engineering batch readiness")
    pm.get_by_role("button", name="Send the agenda to the invitees").click()
    expect(pm.locator(".messages")).to_contain_text("Agenda saved. It will be sent")

    # The sponsor lead accepts from the meeting page.
    lead = sign_in(browser, live_server, sponsor_lead)
    lead.goto(f"{base}{meeting.get_absolute_url()}")
    lead.get_by_role("button", name="Accept").click()
    expect(lead.locator(".messages")).to_contain_text("You accepted")

    # The meeting takes place; afterwards the PM records attendance and the minutes.
    with time_machine.travel(meeting.ends_at + datetime.timedelta(hours=1), tick=True):
        pm.goto(f"{base}{meeting.get_absolute_url()}")
        pm.get_by_role("link", name="Record attendance").click()
        for row in pm.locator("table.attendance-table tbody tr").all():
            name = row.locator("td").first.inner_text()
            row.get_by_label("Absent" if decision_maker.full_name in name else "Attended").check()
        pm.get_by_role("button", name="Save attendance and go to the minutes").click()
        expect(pm.locator(".messages")).to_contain_text("Attendance recorded")

        pm.get_by_label("Summary of the discussion").fill("Reviewed readiness for the engineering batch.")
        pm.get_by_label("Decision 1").fill("Run the engineering batch at 200 L in week 12.")
        pm.get_by_label("Action 1").fill("Send the batch record template")
        pm.locator("select[name='actions-0-owner']").select_option(label=sponsor_lead.full_name)
        pm.locator("input[name='actions-0-due_date']").fill((day + datetime.timedelta(days=7)).isoformat())
        pm.get_by_label("Next steps").fill("Book the GMP slot once the batch record is signed.")
        pm.get_by_role("button", name="Save, close and send").click()
        expect(pm.locator(".messages")).to_contain_text("Minutes closed. They will be sent")
        expect(pm.locator("#minutes")).to_contain_text("Run the engineering batch at 200 L in week 12.")
        expect(pm.locator(".meeting-head")).to_contain_text("Awaiting confirmation")

        minutes_mail = [m for m in mail.outbox if m.subject.startswith("Minutes:")]
        assert {m.to[0] for m in minutes_mail} == {
            cdmo_pm.email,
            cdmo_sme.email,
            sponsor_lead.email,
            "gina@consult.test",  # the guest attended
            decision_maker.email,  # absent, but confirms minutes for the sponsor
        }
        assert minutes_mail[0].attachments[0][2] == "application/pdf"

        # The sponsor lead reviews and confirms.
        lead.goto(f"{base}/meetings/")
        expect(lead.get_by_text("Minutes waiting for your confirmation")).to_be_visible()
        lead.get_by_role("link", name="Weekly call: engineering batch").first.click()
        expect(lead.locator(".confirm-box")).to_contain_text("Please review these minutes")
        lead.get_by_role("link", name="Confirm and sign").click()
        expect(lead.get_by_role("heading", name="The minutes you are confirming")).to_be_visible()
        lead.get_by_label("Your password").fill("wrong password")
        lead.get_by_label("Comment").fill("Agreed as written.")
        lead.get_by_role("button", name="Sign and confirm").click()
        expect(lead.get_by_text("That is not your password. Nothing was signed.")).to_be_visible()
        expect(lead.get_by_label("Comment")).to_have_value("Agreed as written.")
        lead.get_by_label("Your password").fill(DEFAULT_PASSWORD)
        lead.get_by_role("button", name="Sign and confirm").click()
        expect(lead.locator(".messages")).to_contain_text("Minutes confirmed")
        expect(lead.locator(".signatures")).to_contain_text("Signed by")
        expect(lead.locator(".signatures")).to_contain_text("meaning Confirmed: “Agreed as written.”")
        expect(lead.locator(".meeting-head")).to_contain_text("Minutes confirmed")

        # The action item's owner marks it done in place, on their list.
        lead.goto(f"{base}/meetings/action-items/")
        row = lead.locator("tr", has_text="Send the batch record template")
        row.get_by_role("button", name="Mark done").click()
        expect(lead.locator("tr.row-done", has_text="Send the batch record template")).to_be_visible()
        expect(lead.locator(".messages")).to_have_count(0)  # htmx swapped the row; no reload

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED and meeting.minutes_confirmed_by == sponsor_lead
    assert ActionItem.objects.get().completed_by == sponsor_lead
