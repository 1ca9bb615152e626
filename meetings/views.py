"""Meeting pages. Thin: the project frame checks visibility, selectors read, services write.

Every object URL is nested under its project and looked up through
`project_page`/`get_project_for_user`, so people outside the project get 404.
Pages that only the meeting's organizing side may use answer 403 to the others.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import organization_member_required
from portal.accounts.models import User
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page, safe_next
from projects.page import project_page
from projects.selectors import get_project_for_user, project_team, team_users

from . import services
from .forms import (
    ActionItemFilterForm,
    ActionItemFormSet,
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    CorrectionForm,
    DecisionFormSet,
    GuestInviteForm,
    MeetingForm,
    MeetingScheduleForm,
    MinutesForm,
    PastMeetingFilterForm,
    TeamInviteForm,
)
from .ics import event_ics, feed_ics
from .models import AgendaItem, Invitee, MeetingKind, MeetingStatus, Rsvp, zone_label
from .pdf import minutes_filename, render_minutes_pdf
from .permissions import MeetingRights, can_schedule_meetings, completes_action_item
from .selectors import (
    ActionItemFilters,
    action_item_for,
    action_items_for_user,
    active_invitees,
    agenda_items,
    calendar_meetings,
    calendar_milestones,
    get_meeting,
    meeting_detail,
    minutes_awaiting_my_confirmation,
    minutes_to_write,
    my_upcoming_meetings,
    open_action_items_for_project,
    past_meetings,
    projects_with_action_items,
    upcoming_meetings,
)

UPCOMING_SHOWN = 20
OPEN_ACTIONS_SHOWN = 10


# --- helpers ---------------------------------------------------------------------------------


def _meeting_context(request, project_id: int, meeting_id: int) -> dict:
    context = project_page(request, project_id, "meetings")
    meeting = get_meeting(access=context["access"], meeting_id=meeting_id)
    context.update(meeting=meeting, rights=MeetingRights.of(context["access"], meeting))
    return context


def _require_runner(context: dict) -> None:
    if not context["rights"].runs:
        side = context["meeting"].get_organizer_side_display()
        raise PermissionDenied(f"Only the {side} team runs this meeting.")


def _back_to(meeting, anchor: str = ""):
    return redirect(meeting.get_absolute_url() + anchor)


def _mark_completable(items, access) -> None:
    for item in items:
        item.can_complete = completes_action_item(access, item)


def _after_action(request, meeting, ok: str, call) -> HttpResponse:
    """Run a one-button service call; show its outcome on the meeting page."""
    try:
        call()
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, ok)
    return _back_to(meeting)


# --- the project's Meetings tab --------------------------------------------------------------


@login_required
def project_meetings_view(request, project_id: int):
    context = project_page(request, project_id, "meetings")
    project, access = context["project"], context["access"]
    now = timezone.now()
    filter_form = PastMeetingFilterForm(request.GET or None)
    upcoming = list(upcoming_meetings(project=project, now=now)[: UPCOMING_SHOWN + 1])
    open_items = open_action_items_for_project(project=project)
    shown_items = list(open_items[:OPEN_ACTIONS_SHOWN])
    _mark_completable(shown_items, access)
    context.update(
        upcoming=upcoming[:UPCOMING_SHOWN],
        more_upcoming=len(upcoming) > UPCOMING_SHOWN,
        past=paginate(
            request, past_meetings(project=project, kind=filter_form.kind_value(), now=now), per_page=15
        ),
        filter_form=filter_form,
        querystring=querystring_without_page(request),
        open_items=shown_items,
        open_items_count=open_items.count(),
        can_schedule=can_schedule_meetings(access),
        today=timezone.localdate(),
    )
    return render(request, "meetings/project_meetings.html", context)


# --- scheduling and details ------------------------------------------------------------------


@login_required
def meeting_schedule_view(request, project_id: int):
    context = project_page(request, project_id, "meetings")
    project, access = context["project"], context["access"]
    if not can_schedule_meetings(access):
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
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                access=access, **form.meeting_fields(), invitees=form.invitee_specs()
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if services.is_governance_without_decision_maker(meeting):
                messages.warning(
                    request,
                    "No sponsor decision-maker is invited to this governance meeting. Decisions need the "
                    "person who can make them: invite the decision-maker, or the meeting will be flagged.",
                )
            if meeting.starts_at > timezone.now():
                messages.success(
                    request,
                    f"Meeting scheduled. Invitations with a calendar entry will be sent to "
                    f"{meeting.invitees.count()} people. Add the agenda next.",
                )
                return redirect("meetings:agenda", project_id=project.pk, meeting_id=meeting.pk)
            messages.success(
                request,
                "Meeting recorded. It is in the past, so no invitations were sent; "
                "record attendance and minutes now.",
            )
            return redirect(meeting)
    context.update(
        form=form,
        title="Schedule a meeting",
        zone_label=zone_label(request.user.time_zone),
        decision_makers=[m for m in members if m.role == "decision_maker"],
    )
    return render(request, "meetings/meeting_form.html", context)


@login_required
def meeting_detail_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    meeting, access, rights = context["meeting"], context["access"], context["rights"]
    detail = meeting_detail(meeting=meeting)
    _mark_completable(detail.action_items, access)
    my_invitation = detail.invitee_for(request.user)
    context.update(
        detail=detail,
        my_invitation=my_invitation,
        rsvp_choices=[(Rsvp.ACCEPTED, "Accept"), (Rsvp.TENTATIVE, "Tentative"), (Rsvp.DECLINED, "Decline")],
        show_minutes=meeting.minutes_locked
        or (rights.runs and meeting.status == MeetingStatus.MINUTES_DRAFT),
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
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
    meeting, access = context["meeting"], context["access"]
    if not meeting.is_scheduled:
        messages.error(request, "Only a scheduled meeting can be changed.")
        return _back_to(meeting)
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
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
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


# --- agenda ----------------------------------------------------------------------------------


@login_required
def agenda_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    meeting, access = context["meeting"], context["access"]
    _require_runner(context)
    users = team_users(project=meeting.project, active_only=True)
    form = AgendaItemForm(request.POST or None, team_users=users)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(access=access, meeting=meeting, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Agenda point added.")
            return redirect("meetings:agenda", project_id=project_id, meeting_id=meeting.pk)
    items = list(agenda_items(meeting=meeting))
    context.update(
        form=form,
        items=items,
        agenda_minutes=sum(i.minutes_allotted or 0 for i in items),
        editable=meeting.is_scheduled,
    )
    return render(request, "meetings/agenda.html", context)


def _agenda_item(context, agendaitem_id: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting", "presenter"),
        pk=agendaitem_id,
        meeting=context["meeting"],
        removed_at__isnull=True,
    )


@login_required
def agenda_item_edit_view(request, project_id: int, meeting_id: int, agendaitem_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    item = _agenda_item(context, agendaitem_id)
    _require_runner(context)
    initial = {"title": item.title, "presenter": item.presenter, "minutes_allotted": item.minutes_allotted}
    form = AgendaItemForm(
        request.POST or None,
        team_users=team_users(project=context["project"], active_only=True),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(access=context["access"], item=item, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Agenda point saved.")
            return redirect("meetings:agenda", project_id=project_id, meeting_id=meeting_id)
    context.update(form=form, item=item)
    return render(request, "meetings/agenda_item_form.html", context)


@login_required
@require_POST
def agenda_item_remove_view(request, project_id: int, meeting_id: int, agendaitem_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    item = _agenda_item(context, agendaitem_id)
    _require_runner(context)
    try:
        services.agenda_item_remove(access=context["access"], item=item)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{item.title}” removed from the agenda.")
    return redirect("meetings:agenda", project_id=project_id, meeting_id=meeting_id)


@login_required
@require_POST
def agenda_item_move_view(request, project_id: int, meeting_id: int, agendaitem_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    item = _agenda_item(context, agendaitem_id)
    _require_runner(context)
    try:
        services.agenda_item_move(
            access=context["access"], item=item, direction=request.POST.get("direction", "")
        )
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect(
        reverse("meetings:agenda", kwargs={"project_id": project_id, "meeting_id": meeting_id})
        + f"#agenda-{item.pk}"
    )


@login_required
@require_POST
def agenda_send_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
    meeting = context["meeting"]
    return _after_action(
        request,
        meeting,
        "Agenda saved. It will be sent to every invitee, with their calendar entry updated.",
        lambda: services.meeting_send_agenda(access=context["access"], meeting=meeting),
    )


# --- invitees and replies --------------------------------------------------------------------


@login_required
def invitees_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
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
    context = _meeting_context(request, project_id, meeting_id)
    invitee = _invitee(context, invitee_id)
    _require_runner(context)
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
    context = _meeting_context(request, project_id, meeting_id)
    invitee = _invitee(context, invitee_id)
    _require_runner(context)
    required = request.POST.get("required") == "1"
    try:
        services.invitee_set_required(access=context["access"], invitee=invitee, required=required)
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("meetings:invitees", project_id=project_id, meeting_id=meeting_id)


@login_required
@require_POST
def rsvp_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    meeting = context["meeting"]
    response = request.POST.get("response", "")
    labels = {
        Rsvp.ACCEPTED: "You accepted.",
        Rsvp.TENTATIVE: "You replied tentative.",
        Rsvp.DECLINED: "You declined.",
    }
    return _after_action(
        request,
        meeting,
        labels.get(response, "Reply saved."),
        lambda: services.invitee_rsvp(user=request.user, meeting=meeting, response=response),
    )


@login_required
@require_GET
def meeting_ics_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    meeting = context["meeting"]
    body = event_ics(meeting, agenda=agenda_items(meeting=meeting))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{meeting.project.code}-meeting-{meeting.pk}.ics"'
    )
    return response


# --- after the meeting -----------------------------------------------------------------------


@login_required
def attendance_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
    meeting, access = context["meeting"], context["access"]
    if not meeting.minutes_editable or meeting.is_cancelled:
        messages.error(request, "Attendance can no longer be changed for this meeting.")
        return _back_to(meeting)
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


def _minutes_formsets(request, meeting, users, detail=None):
    data = request.POST if request.method == "POST" else None
    decision_initial = action_initial = None
    if data is None and detail is not None:
        decision_initial = [{"id": d.pk, "summary": d.summary} for d in detail.decisions]
        action_initial = [
            {"id": a.pk, "title": a.title, "owner": a.owner, "due_date": a.due_date}
            for a in detail.action_items
        ]
    decisions = DecisionFormSet(data, prefix="decisions", initial=decision_initial)
    actions = ActionItemFormSet(
        data, prefix="actions", initial=action_initial, form_kwargs={"team_users": users}
    )
    return decisions, actions


@login_required
def minutes_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
    meeting, access = context["meeting"], context["access"]
    if not meeting.minutes_editable or meeting.is_cancelled:
        messages.info(
            request, "These minutes are closed. The sponsor can ask for a correction, which reopens them."
        )
        return _back_to(meeting, "#minutes")
    detail = meeting_detail(meeting=meeting)
    users = team_users(project=meeting.project, active_only=True)
    form = MinutesForm(
        request.POST or None,
        initial={"summary": meeting.summary, "next_steps": meeting.next_steps, "version": meeting.version},
    )
    decisions, actions = _minutes_formsets(request, meeting, users, detail)
    if request.method == "POST" and form.is_valid() and decisions.is_valid() and actions.is_valid():
        try:
            services.minutes_save(
                access=access,
                meeting=meeting,
                version=form.cleaned_data["version"],
                summary=form.cleaned_data["summary"],
                next_steps=form.cleaned_data["next_steps"],
                decisions=[f.row() for f in decisions.forms if f.has_changed() or f.cleaned_data.get("id")],
                action_items=[f.row() for f in actions.forms if f.has_changed() or f.cleaned_data.get("id")],
            )
        except ConcurrentEditError as error:
            add_service_error(form, error)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if request.POST.get("then") == "close":
                try:
                    services.meeting_close_minutes(access=access, meeting=meeting)
                except ServiceError as error:
                    messages.error(request, f"Minutes saved, but not sent: {error}")
                    return redirect("meetings:minutes", project_id=project_id, meeting_id=meeting.pk)
                messages.success(
                    request,
                    "Minutes closed. They will be sent to the attendees and the sponsor, with the PDF.",
                )
                return _back_to(meeting, "#minutes")
            messages.success(request, "Draft minutes saved.")
            return redirect("meetings:minutes", project_id=project_id, meeting_id=meeting.pk)
    context.update(
        form=form, decisions=decisions, actions=actions, detail=detail, not_started=not meeting.has_started
    )
    return render(request, "meetings/minutes_form.html", context)


@login_required
@require_POST
def minutes_close_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    _require_runner(context)
    meeting = context["meeting"]
    return _after_action(
        request,
        meeting,
        "Minutes closed. They will be sent to the attendees and the sponsor, with the PDF.",
        lambda: services.meeting_close_minutes(access=context["access"], meeting=meeting),
    )


@login_required
@require_POST
def minutes_confirm_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    if not context["rights"].confirms:
        raise PermissionDenied("Only the sponsor's project lead or decision-maker confirms minutes.")
    meeting = context["meeting"]
    return _after_action(
        request,
        meeting,
        "Minutes confirmed. The organizer has been told.",
        lambda: services.meeting_confirm_minutes(access=context["access"], meeting=meeting),
    )


@login_required
def minutes_correction_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    if not context["rights"].confirms:
        raise PermissionDenied("Only the sponsor's project lead or decision-maker can ask for a correction.")
    meeting = context["meeting"]
    if meeting.status != MeetingStatus.MINUTES_SENT:
        messages.error(request, "Only sent minutes can be corrected.")
        return _back_to(meeting)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_request_correction(
                access=context["access"], meeting=meeting, note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Correction requested. The minutes are back with the organizer.")
            return _back_to(meeting)
    context.update(form=form, detail=meeting_detail(meeting=meeting))
    return render(request, "meetings/correction_form.html", context)


@login_required
@require_GET
def minutes_pdf_view(request, project_id: int, meeting_id: int):
    context = _meeting_context(request, project_id, meeting_id)
    meeting = context["meeting"]
    if meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED):
        raise Http404("No minutes for this meeting.")
    if not meeting.minutes_locked and not context["rights"].runs:
        raise Http404("The minutes have not been sent yet.")
    pdf = render_minutes_pdf(meeting_detail(meeting=meeting))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{minutes_filename(meeting)}"'
    return response


# --- action items ----------------------------------------------------------------------------


@login_required
@require_POST
def action_item_toggle_view(request, project_id: int, actionitem_id: int):
    project, access = get_project_for_user(user=request.user, project_id=project_id)
    item = action_item_for(access=access, actionitem_id=actionitem_id)
    done = request.POST.get("done") == "1"
    try:
        if done:
            item = services.action_item_complete(access=access, item=item)
        else:
            item = services.action_item_reopen(access=access, item=item)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except ServiceError as error:
        if request.htmx:
            return HttpResponse(str(error), status=409)
        messages.error(request, str(error))
    if request.htmx:
        item = action_item_for(access=access, actionitem_id=item.pk)
        item.can_complete = True
        layout = request.POST.get("layout", "meeting")
        return render(
            request,
            "meetings/_action_item_row.html",
            {"item": item, "layout": layout, "today": timezone.localdate(), "next": safe_next(request, "")},
        )
    if not request.htmx and done:
        messages.success(request, f"“{item.title}” marked done.")
    return redirect(safe_next(request, item.get_absolute_url()))


@organization_member_required
def my_action_items_view(request):
    user = request.user
    projects = projects_with_action_items(user=user)
    form = ActionItemFilterForm(request.GET or None, projects=projects)
    filters = form.to_filters()
    page = paginate(request, action_items_for_user(user=user, filters=filters))
    for item in page.object_list:
        item.can_complete = item.owner_id == user.pk
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "querystring": querystring_without_page(request),
        "filtered": bool(request.GET.get("status") or request.GET.get("project") or request.GET.get("owner")),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/my_action_items.html", context)


# --- the person's meetings and calendar ------------------------------------------------------


@organization_member_required
def my_meetings_view(request):
    user = request.user
    page = paginate(request, my_upcoming_meetings(user=user), per_page=15)
    for meeting in page.object_list:
        meeting.my_reply = meeting.my_invitation[0] if meeting.my_invitation else None
    today = timezone.localdate()
    mine = action_items_for_user(user=user, filters=ActionItemFilters())  # mine and open
    context = {
        "page": page,
        "to_confirm": list(minutes_awaiting_my_confirmation(user=user)[:20]),
        "to_write": list(minutes_to_write(user=user)[:20]),
        "open_actions": mine.count(),
        "overdue_actions": mine.filter(due_date__lt=today).count(),
        "today": today,
    }
    return render(request, "meetings/my_meetings.html", context)


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


@never_cache
@require_GET
def calendar_feed_view(request, token: str):
    """The private feed calendar apps poll. The secret token is the only key: no login."""
    user = User.objects.filter(calendar_token=token, is_active=True, organization__isnull=False).first()
    if user is None:
        raise Http404("No such calendar.")
    since = timezone.now() - datetime.timedelta(days=180)
    body = feed_ics(
        user=user,
        meetings=calendar_meetings(user=user, since=since),
        milestones=calendar_milestones(user=user),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meridian.ics"'
    return response
