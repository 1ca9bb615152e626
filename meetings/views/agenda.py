"""The agenda page: add, edit, remove, reorder and send the points to discuss."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error
from projects.selectors import team_users

from .. import services
from ..forms import AgendaItemForm
from ..models import AgendaItem
from ..selectors import agenda_items
from .common import after_action, meeting_context, require_runner

# --- agenda ----------------------------------------------------------------------------------


@login_required
def agenda_view(request, project_id: int, meeting_id: int):
    context = meeting_context(request, project_id, meeting_id)
    meeting, access = context["meeting"], context["access"]
    require_runner(context)
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
    context = meeting_context(request, project_id, meeting_id)
    item = _agenda_item(context, agendaitem_id)
    require_runner(context)
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
    context = meeting_context(request, project_id, meeting_id)
    item = _agenda_item(context, agendaitem_id)
    require_runner(context)
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
    context = meeting_context(request, project_id, meeting_id)
    item = _agenda_item(context, agendaitem_id)
    require_runner(context)
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
    context = meeting_context(request, project_id, meeting_id)
    require_runner(context)
    meeting = context["meeting"]
    return after_action(
        request,
        meeting,
        "Agenda saved. It will be sent to every invitee, with their calendar entry updated.",
        lambda: services.meeting_send_agenda(access=context["access"], meeting=meeting),
    )
