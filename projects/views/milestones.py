"""Milestones: the tab (table and SVG timeline), the milestone page, and in-place edits with htmx.

Every edit works as a plain form post too: the table row's Edit link opens the
milestone page, and a form that comes back with errors keeps what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.views_helpers import add_service_error

from .. import permissions, services
from ..forms import MilestoneChangeForm, MilestoneCreateForm, MilestoneEditForm
from ..models import Milestone
from ..page import project_page
from ..selectors import get_milestone, milestone_forecast_history, milestones_for_project, team_users
from ..selectors.changes import milestone_baselines
from ..svg import milestone_timeline_svg, zoomed_chart_px

FILTERS = {"open": "Open", "all": "All", "done": "Done"}
# The timeline's range (?zoom=): how many days fill its box; None for the whole project.
ZOOMS = {"3m": ("3 months", 91), "6m": ("6 months", 183), "1y": ("1 year", 365), "all": ("All", None)}


def _timeline(request, milestones, *, today, title):
    """The SVG timeline and the zoom it is drawn at ("" for the default drawing that scales to its
    box). static/js/timeline-zoom.js adds the box's width in pixels (?w=) to the zoom links."""
    zoom = request.GET.get("zoom", "")
    if zoom not in ZOOMS:
        return milestone_timeline_svg(milestones, today=today, title=title), ""
    try:
        box_px = min(max(int(request.GET.get("w", "")), 280), 2400)
    except ValueError:
        box_px = 980
    label_px = 270 if box_px >= 700 else 130
    chart_px = zoomed_chart_px(
        milestones, today=today, span_days=ZOOMS[zoom][1], box_px=box_px, label_px=label_px
    )
    return milestone_timeline_svg(
        milestones, today=today, title=title, chart_px=chart_px, label_px=label_px
    ), zoom


def _require_editor(access) -> None:
    if not permissions.can_edit_milestones(access):
        raise PermissionDenied("Only the CDMO project manager or a CDMO admin edits milestones.")


@login_required
def milestones_view(request, project_id: int):
    context = project_page(request, project_id, "milestones")
    project, access = context["project"], context["access"]
    shown = request.GET.get("show", "all")
    if shown not in FILTERS:
        shown = "all"
    milestones = list(milestones_for_project(project=project))
    if shown == "open":
        milestones = [m for m in milestones if m.is_open]
    elif shown == "done":
        milestones = [m for m in milestones if m.status == "done"]
    today = timezone.localdate()
    late = [m for m in milestones if m.is_open and m.slip_days > 0]
    timeline, zoom = _timeline(request, milestones, today=today, title=f"{project.code} milestone timeline")
    context.update(
        milestones=milestones,
        today=today,
        shown=shown,
        filters=FILTERS,
        late_count=len(late),
        overdue_count=sum(1 for m in milestones if m.is_overdue(today)),
        timeline=timeline,
        zoom=zoom,
        zooms={key: label for key, (label, _days) in ZOOMS.items()},
        can_edit=permissions.can_edit_milestones(access),
    )
    return render(request, "projects/milestones.html", context)


@login_required
def milestone_create_view(request, project_id: int):
    context = project_page(request, project_id, "milestones")
    project, access = context["project"], context["access"]
    _require_editor(access)
    form = MilestoneCreateForm(request.POST or None, team=team_users(project=project))
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.milestone_create(access=access, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Milestone “{milestone.title}” added.")
            if "add_another" in request.POST:
                return redirect("projects:milestone_create", project_id=project.pk)
            return redirect("projects:milestones", project_id=project.pk)
    context["form"] = form
    return render(request, "projects/milestone_form.html", context)


def _save_change(request, access, milestone: Milestone, form) -> Milestone | None:
    """Apply a valid change form; on a refused rule, put the message on the form and return None."""
    data = form.cleaned_data
    try:
        return services.milestone_edit(
            access=access,
            milestone=milestone,
            version=data["version"],
            status=data["status"],
            forecast_date=data["forecast_date"],
            actual_date=data.get("actual_date"),
            reason=data.get("reason", ""),
            details=form.details() if isinstance(form, MilestoneEditForm) else None,
        )
    except ConcurrentEditError as error:
        add_service_error(form, error)
    except ServiceError as error:
        add_service_error(form, error)
    return None


@login_required
def milestone_detail_view(request, project_id: int, milestone_id: int):
    """The milestone page: details, forecast history and, for editors, the full edit form."""
    context = project_page(request, project_id, "milestones")
    project, access = context["project"], context["access"]
    milestone = get_milestone(project=project, milestone_id=milestone_id)
    can_edit = permissions.can_edit_milestones(access)
    form = None
    if can_edit:
        form = MilestoneEditForm(request.POST or None, milestone=milestone, team=team_users(project=project))
        if request.method == "POST" and form.is_valid():
            saved = _save_change(request, access, milestone, form)
            if saved is not None:
                messages.success(request, f"“{saved.title}” saved.")
                return redirect("projects:milestones", project_id=project.pk)
    elif request.method == "POST":
        raise PermissionDenied("Only the CDMO project manager or a CDMO admin edits milestones.")
    context.update(
        milestone=milestone,
        history=list(milestone_forecast_history(milestone=milestone)),
        baselines=milestone_baselines(milestone=milestone),
        form=form,
        can_edit=can_edit,
        today=timezone.localdate(),
    )
    return render(request, "projects/milestone_detail.html", context)


@login_required
def milestone_row_view(request, project_id: int, milestone_id: int):
    """The milestone's table row (htmx: Cancel puts it back); plain requests go to the milestone page."""
    context = project_page(request, project_id, "milestones")
    milestone = get_milestone(project=context["project"], milestone_id=milestone_id)
    if not request.htmx:
        return redirect(milestone)
    context.update(
        milestone=milestone,
        can_edit=permissions.can_edit_milestones(context["access"]),
        today=timezone.localdate(),
    )
    return render(request, "projects/milestones.html#row", context)


@login_required
def milestone_row_edit_view(request, project_id: int, milestone_id: int):
    """Status and forecast edited in place in the table (htmx), with the milestone page as the fallback."""
    context = project_page(request, project_id, "milestones")
    project, access = context["project"], context["access"]
    milestone = get_milestone(project=project, milestone_id=milestone_id)
    _require_editor(access)
    form = MilestoneChangeForm(request.POST or None, milestone=milestone)
    if request.method == "POST" and form.is_valid():
        saved = _save_change(request, access, milestone, form)
        if saved is not None:
            if not request.htmx:
                messages.success(request, f"“{saved.title}” saved.")
                return redirect("projects:milestones", project_id=project.pk)
            context.update(milestone=saved, can_edit=True, today=timezone.localdate(), just_saved=True)
            return render(request, "projects/milestones.html#row", context)
    if not request.htmx:
        if request.method == "GET":
            return redirect(milestone)
        # A plain post that needs correcting: the milestone page, with the error and what was typed.
        context.update(
            milestone=milestone,
            history=list(milestone_forecast_history(milestone=milestone)),
            form=form,
            form_action=request.path,
            can_edit=True,
            today=timezone.localdate(),
        )
        return render(request, "projects/milestone_detail.html", context)
    context.update(
        milestone=milestone,
        form=form,
        today=timezone.localdate(),
        row_url=reverse(
            "projects:milestone_row", kwargs={"project_id": project.pk, "milestone_id": milestone.pk}
        ),
    )
    return render(request, "projects/milestones.html#row_edit", context)
