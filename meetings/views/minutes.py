"""Writing, closing, confirming and correcting the minutes; the minutes PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.views_helpers import add_service_error
from portal.signatures.forms import SigningForm
from projects.selectors import team_users

from .. import permissions, services
from ..forms import ActionItemFormSet, CorrectionForm, DecisionFormSet, MinutesForm
from ..pdf import minutes_filename, render_minutes_pdf
from ..selectors import meeting_detail
from ..signing import minutes_signed_content
from .common import after_action, back_to, meeting_context, require_runner


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
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting, access = context["meeting"], context["access"]
    if not meeting.minutes_editable or meeting.is_cancelled:
        messages.info(
            request, "These minutes are closed. The sponsor can ask for a correction, which reopens them."
        )
        return back_to(meeting, "#minutes")
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
                return back_to(meeting, "#minutes")
            messages.success(request, "Draft minutes saved.")
            return redirect("meetings:minutes", project_id=project_id, meeting_id=meeting.pk)
    context.update(
        form=form, decisions=decisions, actions=actions, detail=detail, not_started=not meeting.has_started
    )
    return render(request, "meetings/minutes_form.html", context)


@login_required
@require_POST
def minutes_close_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting = context["meeting"]
    return after_action(
        request,
        meeting,
        "Minutes closed. They will be sent to the attendees and the sponsor, with the PDF.",
        lambda: services.meeting_close_minutes(access=context["access"], meeting=meeting),
    )


@login_required
def minutes_confirm_view(request, project_id: int, meeting_id: int):
    """The sponsor reads the sent minutes and confirms them with an electronic signature."""
    context = meeting_context(request, project_id, meeting_id)
    if not permissions.can_confirm_minutes(context["access"]):
        raise PermissionDenied("Only the sponsor's project lead or decision-maker confirms minutes.")
    meeting = context["meeting"]
    if not meeting.minutes_awaiting_confirmation:
        messages.error(request, "Only sent minutes can be confirmed.")
        return back_to(meeting)
    form = SigningForm(
        request.POST if request.method == "POST" else None,
        action="meetings.minutes_confirm",
        record=meeting,
        request=request,
    )
    if request.method == "POST" and form.is_valid():
        signature = form.sign(
            perform=lambda: services.meeting_confirm_minutes(access=context["access"], meeting=meeting),
            errors_on=form,
        )
        if signature is not None:
            messages.success(request, "Minutes confirmed and signed. The organizer has been told.")
            return back_to(meeting)
    context.update(form=form, signed=minutes_signed_content(meeting))
    return render(request, "meetings/minutes_confirm.html", context)


@login_required
def minutes_correction_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    if not permissions.can_confirm_minutes(context["access"]):
        raise PermissionDenied("Only the sponsor's project lead or decision-maker can ask for a correction.")
    meeting = context["meeting"]
    if not meeting.minutes_awaiting_confirmation:
        messages.error(request, "Only sent minutes can be corrected.")
        return back_to(meeting)
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
            return back_to(meeting)
    context.update(form=form, detail=meeting_detail(meeting=meeting))
    return render(request, "meetings/correction_form.html", context)


@login_required
@require_GET
def minutes_pdf_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    meeting = context["meeting"]
    if not meeting.was_held:
        raise Http404("No minutes for this meeting.")
    if not permissions.can_read_minutes(context["access"], meeting):
        raise Http404("The minutes have not been sent yet.")
    pdf = render_minutes_pdf(meeting_detail(meeting=meeting))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{minutes_filename(meeting)}"'
    return response
