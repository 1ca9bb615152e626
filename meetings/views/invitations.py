"""Invitees, replies, and after the meeting, who attended."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error
from projects.selectors import team_users

from .. import services
from ..forms import AttendanceForm, GuestInviteForm, TeamInviteForm
from ..models import Invitee, Rsvp
from ..selectors import active_invitees, get_meeting
from .common import after_action, back_to, meeting_context, require_runner

# --- invitees and replies --------------------------------------------------------------------


@login_required
def invitees_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting, access = context["meeting"], context["access"]
    invitees = list(active_invitees(meeting=meeting))
    invited_ids = [i.user_id for i in invitees if i.user_id]
    candidates = team_users(project=meeting.project, active_only=True).exclude(pk__in=invited_ids)
    which = request.POST.get("form") if request.method == "POST" else None
    team_form = TeamInviteForm(
        request.POST if which == "team" else None, candidates=candidates, prefix="team"
    )
    guest_form = GuestInviteForm(request.POST if which == "guest" else None, prefix="guest")
    bound = {"team": team_form, "guest": guest_form}.get(which)
    if bound is not None and bound.is_valid():
        try:
            invitee = services.invitee_add(access=access, meeting=meeting, spec=bound.spec())
        except ServiceError as error:
            add_service_error(bound, error)
        else:
            sent = (
                " An invitation with a calendar entry is on its way."
                if meeting.starts_at > timezone.now()
                else ""
            )
            messages.success(request, f"{invitee.display_name} invited.{sent}")
            if services.is_governance_without_decision_maker(
                get_meeting(access=access, meeting_id=meeting.pk)
            ):
                messages.warning(
                    request, "Still no sponsor decision-maker invited to this governance meeting."
                )
            return redirect("meetings:invitees", project_id=project_id, meeting_id=meeting.pk)
    context.update(
        invitees=invitees,
        team_form=team_form,
        guest_form=guest_form,
        has_candidates=candidates.exists(),
        editable=meeting.is_scheduled,
    )
    return render(request, "meetings/invitees.html", context)


def _invitee(context, invitee_id: int) -> Invitee:
    return get_object_or_404(
        Invitee.objects.select_related("meeting", "user"), pk=invitee_id, meeting=context["meeting"]
    )


@login_required
@require_POST
def invitee_remove_view(request, project_id: int, meeting_id: int, invitee_id: int):
    context = meeting_context(request, project_id, meeting_id)
    invitee = _invitee(context, invitee_id)
    require_runner(context)
    try:
        services.invitee_remove(access=context["access"], invitee=invitee)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{invitee.display_name} is no longer invited; their calendar entry is cancelled."
        )
        meeting = get_meeting(access=context["access"], meeting_id=meeting_id)
        if services.is_governance_without_decision_maker(meeting):
            messages.warning(
                request, "No sponsor decision-maker is invited to this governance meeting any more."
            )
    return redirect("meetings:invitees", project_id=project_id, meeting_id=meeting_id)


@login_required
@require_POST
def invitee_required_view(request, project_id: int, meeting_id: int, invitee_id: int):
    context = meeting_context(request, project_id, meeting_id)
    invitee = _invitee(context, invitee_id)
    require_runner(context)
    required = request.POST.get("required") == "1"
    try:
        services.invitee_set_required(access=context["access"], invitee=invitee, required=required)
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("meetings:invitees", project_id=project_id, meeting_id=meeting_id)


@login_required
@require_POST
def rsvp_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    meeting = context["meeting"]
    response = request.POST.get("response", "")
    labels = {
        Rsvp.ACCEPTED: "You accepted.",
        Rsvp.TENTATIVE: "You replied tentative.",
        Rsvp.DECLINED: "You declined.",
    }
    return after_action(
        request,
        meeting,
        labels.get(response, "Reply saved."),
        lambda: services.invitee_rsvp(user=request.user, meeting=meeting, response=response),
    )


@login_required
def attendance_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting, access = context["meeting"], context["access"]
    if not meeting.minutes_editable or meeting.is_cancelled:
        messages.error(request, "Attendance can no longer be changed for this meeting.")
        return back_to(meeting)
    invitees = list(active_invitees(meeting=meeting))
    on_list = [i.user_id for i in invitees if i.user_id]
    candidates = team_users(project=meeting.project, active_only=True).exclude(pk__in=on_list)
    form = AttendanceForm(request.POST or None, invitees=invitees, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                access=access,
                meeting=meeting,
                marks=form.marks(),
                unexpected_users=form.cleaned_data["unexpected"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Attendance recorded.")
            return redirect("meetings:minutes", project_id=project_id, meeting_id=meeting.pk)
    context.update(form=form, not_started=not meeting.has_started)
    return render(request, "meetings/attendance.html", context)
