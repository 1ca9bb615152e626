"""Minutes as a PDF document (WeasyPrint).

The template is never served to a browser, so it carries its own print CSS; files
it references (the logo) resolve against the project folder through `base_url`.
Times are shown in the organizer's zone and in UTC, so the record reads the same
for everyone who opens it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from portal.core.timezones import zone_or_utc

from .models import Meeting, zone_label

# WeasyPrint reports every layout step at INFO; a worker sending minutes does not need that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def minutes_filename(meeting: Meeting) -> str:
    day = meeting.starts_at_in(meeting.organizer_time_zone).strftime("%Y-%m-%d")
    return f"minutes-{meeting.project.code}-{day}.pdf"


def render_minutes_html(detail) -> str:
    meeting = detail.meeting
    with timezone.override(zone_or_utc(meeting.organizer_time_zone)):
        return render_to_string(
            "meetings/minutes_pdf.html",
            {
                "meeting": meeting,
                "project": meeting.project,
                "detail": detail,
                "zone_label": zone_label(meeting.organizer_time_zone),
                "generated_at": timezone.now(),
                "site_url": settings.SITE_URL,
                "PORTAL_NAME": settings.PORTAL_NAME,
            },
        )


def render_minutes_pdf(detail) -> bytes:
    from weasyprint import HTML  # imported here: it takes a moment, and only PDFs need it

    return HTML(string=render_minutes_html(detail), base_url=str(settings.BASE_DIR)).write_pdf()
