"""The project's Meetings tab, scheduling a meeting, its page, changing or cancelling it; the person's meetings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page
from projects.models import TeamRole
from projects.page import project_page
from projects.selectors import project_team

from .. import permissions, services
from ..forms import CancelForm, MeetingForm, MeetingScheduleForm, PastMeetingFilterForm
from ..models import MeetingKind, Rsvp, rsvp_badge, zone_label
from ..selectors import (
    ActionItemFilters,
    MyUpcomingMeetings,
    action_items_for_user,
    attach_attendance_counts,
    get_meeting,
    meeting_detail,
    minutes_awaiting_my_confirmation,
    minutes_to_write,
    open_action_items_for_project,
    past_meetings,
    upcoming_meetings,
)
from ..services import InviteeSpec
from .common import back_to, mark_completable, meeting_context, require_runner

UPCOMING_SHOWN = 20
OPEN_ACTIONS_SHOWN = 10


# --- the project's Meetings tab --------------------------------------------------------------


@login_required
def project_meetings_view(request, project_id: int):
    context = project_page(request, project_id, "meetings")
    project, access = context["project"], context["access"]
    now = timezone.now()
    filter_form = PastMeetingFilterForm(request.GET or None)
    upcoming = list(upcoming_meetings(project=project, now=now)[: UPCOMING_SHOWN + 1])
    past = paginate(
        request, past_meetings(project=project, kind=filter_form.kind_value(), now=now), per_page=15
    )
    past.object_list = list(past.object_list)
    attach_attendance_counts(upcoming[:UPCOMING_SHOWN] + past.object_list)
    open_items = open_action_items_for_project(project=project)
    shown_items = list(open_items[:OPEN_ACTIONS_SHOWN])
    mark_completable(shown_items, access)
    context.update(
        upcoming=upcoming[:UPCOMING_SHOWN],
        more_upcoming=len(upcoming) > UPCOMING_SHOWN,
        past=past,
        filter_form=filter_form,
        querystring=querystring_without_page(request),
        open_items=shown_items,
        open_items_count=open_items.count(),
        can_schedule=permissions.can_schedule(access),
        today=timezone.localdate(),
    )
    return render(request, "meetings/project_meetings.html", context)


# --- scheduling and details ------------------------------------------------------------------


@login_required
def meeting_schedule_view(request, project_id: int):
    """Schedule a meeting and send the invitations. A governance meeting ahead that invites no
    decision-maker is not sent: the organizer sees who is missing and chooses to invite them and
    send, or to send without (recorded on the meeting). The form travels along, so nothing typed
    is lost; htmx swaps the card in place, a plain POST renders the whole page."""
    context = project_page(request, project_id, "meetings")
    project, access = context["project"], context["access"]
    if not permissions.can_schedule(access):
        raise PermissionDenied("Only members of the project team can schedule meetings.")
    members = list(project_team(project=project))
    kind = request.GET.get("kind")
    initial = {"kind": kind if kind in MeetingKind.values else MeetingKind.WEEKLY, "duration_minutes": 60}
    form = MeetingScheduleForm(
        request.POST or None,
        zone_name=request.user.time_zone,
        members=members,
        organizer=request.user,
        initial=initial,
    )
    decision_makers = [m for m in members if m.role == TeamRole.DECISION_MAKER]
    missing = None
    choice = request.POST.get("decision_maker", "") if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid() and choice != "edit":
        specs = form.invitee_specs()
        invited_dm = next((m for m in decision_makers if choice == str(m.user_id)), None)
        if invited_dm is not None:
            specs = [s for s in specs if s.user is None or s.user.pk != invited_dm.user_id]
            specs.append(InviteeSpec(user=invited_dm.user, required=True))
        try:
            meeting = services.meeting_schedule(
                access=access,
                **form.meeting_fields(),
                invitees=specs,
                without_decision_maker=choice == "without",
                schedule_key=form.cleaned_data["schedule_key"],
            )
        except services.DecisionMakerMissing as pending:
            missing = pending.missing
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return _scheduled(request, meeting, invited_dm)
    context.update(
        form=form,
        title="Schedule a meeting",
        zone_label=zone_label(request.user.time_zone),
        decision_makers=decision_makers,
        missing=missing,
    )
    if missing is not None:
        template = "meetings/decision_maker_warning.html"
    else:
        template = "meetings/meeting_form.html"
    return render(request, template + ("#card" if request.htmx else ""), context)


def _scheduled(request, meeting, invited_dm) -> HttpResponse:
    """Where the organizer goes once the meeting is scheduled (and its invitations sent)."""
    if invited_dm is not None:
        messages.info(request, f"{invited_dm.user.full_name} ({invited_dm.get_role_display()}) is invited.")
    elif meeting.sent_without_decision_maker:
        messages.warning(
            request,
            "Sent without a decision-maker, as you chose. The meeting page says so, and the meeting "
            "stays flagged until a decision-maker is invited.",
        )
    if meeting.starts_at > timezone.now():
        messages.success(
            request,
            f"Meeting scheduled. Invitations with a calendar entry will be sent to "
            f"{meeting.invitees.count()} people. Add the agenda next.",
        )
        target = reverse(
            "meetings:agenda", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk}
        )
    else:
        messages.success(
            request,
            "Meeting recorded. It is in the past, so no invitations were sent; "
            "record attendance and minutes now.",
        )
        target = meeting.get_absolute_url()
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@login_required
def meeting_detail_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    meeting, access = context["meeting"], context["access"]
    detail = meeting_detail(meeting=meeting)
    mark_completable(detail.action_items, access)
    my_invitation = detail.invitee_for(request.user)
    context.update(
        detail=detail,
        my_invitation=my_invitation,
        rsvp_choices=[(Rsvp.ACCEPTED, "Accept"), (Rsvp.TENTATIVE, "Tentative"), (Rsvp.DECLINED, "Decline")],
        user_zone_label=zone_label(request.user.time_zone or "UTC"),
        same_zone=(request.user.time_zone or "UTC") == meeting.organizer_time_zone,
        governance_warning=meeting.is_governance
        and not meeting.decision_maker_invited
        and meeting.is_scheduled,
        today=timezone.localdate(),
    )
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_edit_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting, access = context["meeting"], context["access"]
    if not meeting.is_scheduled:
        messages.error(request, "Only a scheduled meeting can be changed.")
        return back_to(meeting)
    form = MeetingForm(
        request.POST or None, zone_name=meeting.organizer_time_zone, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        before = meeting.ical_sequence
        try:
            meeting = services.meeting_update(
                access=access,
                meeting=meeting,
                version=form.cleaned_data.get("version") or 0,
                **form.meeting_fields(),
            )
        except ConcurrentEditError as error:
            add_service_error(form, error)
            context["latest"] = get_meeting(access=access, meeting_id=meeting.pk)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if meeting.ical_sequence != before and meeting.starts_at > timezone.now():
                messages.success(
                    request, "Meeting updated. Every invitee will be sent the change for their calendar."
                )
            else:
                messages.success(request, "Meeting updated.")
            return redirect(meeting)
    context.update(form=form, title=f"Change “{meeting.title}”", zone_label=meeting.organizer_zone_label)
    return render(request, "meetings/meeting_form.html", context)


@login_required
def meeting_cancel_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting = context["meeting"]
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                access=context["access"], meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, "Meeting cancelled. Invitees will be sent a cancellation for their calendars."
            )
            return redirect(meeting)
    context["form"] = form
    return render(request, "meetings/cancel_form.html", context)


@organization_member_required
def my_meetings_view(request):
    user = request.user
    page = paginate(request, MyUpcomingMeetings(user=user), per_page=15)
    for meeting in page.object_list:
        meeting.my_reply_badge = rsvp_badge(meeting.my_rsvp)
    today = timezone.localdate()
    mine = action_items_for_user(user=user, filters=ActionItemFilters())  # mine and open
    actions = mine.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    context = {
        "page": page,
        "to_confirm": list(minutes_awaiting_my_confirmation(user=user)[:20]),
        "to_write": list(minutes_to_write(user=user)[:20]),
        "open_actions": actions["open"],
        "overdue_actions": actions["overdue"],
        "today": today,
    }
    return render(request, "meetings/my_meetings.html", context)
