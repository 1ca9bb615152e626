"""What the meeting pages share: the meeting in its project frame, the runner check, the way back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from portal.core.exceptions import ServiceError
from projects.page import project_page

from .. import permissions
from ..selectors import get_meeting


def meeting_context(request, project_id: int, meeting_id: int) -> dict:
    context = project_page(request, project_id, "meetings")
    meeting = get_meeting(access=context["access"], meeting_id=meeting_id)
    context["meeting"] = meeting
    return context


def require_runner(context: dict) -> None:
    if not permissions.can_run(context["access"], context["meeting"]):
        side = context["meeting"].get_organizer_side_display()
        raise PermissionDenied(f"Only the {side} team runs this meeting.")


def back_to(meeting, anchor: str = ""):
    return redirect(meeting.get_absolute_url() + anchor)


def mark_completable(items, access) -> None:
    for item in items:
        item.can_complete = permissions.can_complete_action_item(access, item)


def after_action(request, meeting, ok: str, call) -> HttpResponse:
    """Run a one-button service call; show its outcome on the meeting page."""
    try:
        call()
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, ok)
    return back_to(meeting)
