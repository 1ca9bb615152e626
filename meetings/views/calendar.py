"""Calendars: one meeting's .ics, the person's calendar page and their private feed."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.core import clock

from .. import feed, services
from ..ics import event_ics
from ..selectors import agenda_items
from .common import meeting_context


@login_required
@require_GET
def meeting_ics_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    meeting = context["meeting"]
    body = event_ics(meeting, agenda=agenda_items(meeting=meeting))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting.project.code}-meeting-{meeting.pk}.ics"'
    )
    return response


@login_required
def calendar_view(request):
    feed_path = reverse("meetings:calendar_feed", kwargs={"token": request.user.calendar_token})
    feed_url = request.build_absolute_uri(feed_path)
    return render(
        request,
        "meetings/calendar.html",
        {"feed_url": feed_url, "webcal_url": "webcal://" + feed_url.split("://", 1)[-1]},
    )


@login_required
@require_POST
def calendar_reset_view(request):
    services.calendar_token_reset(user=request.user)
    messages.success(
        request,
        "Your calendar link was replaced. The old link no longer works: subscribe again with the new one.",
    )
    return redirect("meetings:calendar")


# What GZipMiddleware asks of the Accept-Encoding header.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@never_cache
@require_GET
def calendar_feed_view(request, token: str):
    """The private feed calendar apps poll. The secret token is the only key: no login.
    Answered from the person's feed as last built (meetings.feed): a 304 when the app has it,
    nothing counted or built; the feed is rebuilt in the background when its data changes.
    Compressed for the apps that accept it (a feed of thousands of events is megabytes of
    repetitive text); the ETag then turns weak, and the 304 check compares weakly."""
    user = feed.subscriber(token)
    if user is None:
        raise Http404("No such calendar.")
    stored = feed.for_poll(user=user, now=clock.now())
    last_modified = stored.built_at.timestamp()
    compressed = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    # A compressed body is another representation of the same feed: its validator is weak.
    etag = f'W/"{stored.etag}"' if compressed else f'"{stored.etag}"'
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(
            feed.body_of(stored, compressed=compressed), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        if compressed:
            response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response
