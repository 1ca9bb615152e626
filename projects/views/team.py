"""Pages for the project team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from portal.core.exceptions import ConfirmationRequired, ServiceError
from portal.core.views_helpers import add_service_error

from .. import permissions, services
from ..forms import (
    TeamMemberAddForm,
    TeamMemberChangeForm,
)
from ..models import ProjectMember, Side
from ..page import project_page
from ..selectors import (
    candidates_for_team,
    last_side_manager_refusal,
    projects_visible_to,
    removal_consequences,
)


@login_required
def project_team_view(request, project_id: int):
    context = project_page(request, project_id, "team")
    project, access = context["project"], context["access"]
    add_forms = {}
    for side in (Side.SPONSOR, Side.CDMO):
        if permissions.can_manage_team(access, side):
            add_forms[side] = TeamMemberAddForm(
                side=side, candidates=candidates_for_team(project=project, side=side), prefix=side
            )
    if request.method == "POST":
        side = request.POST.get("side")
        if side not in add_forms:
            raise PermissionDenied("You cannot change this side of the team.")
        form = TeamMemberAddForm(
            request.POST, side=side, candidates=candidates_for_team(project=project, side=side), prefix=side
        )
        add_forms[side] = form
        if form.is_valid():
            try:
                services.team_member_add(
                    access=access,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                    is_point_of_contact=form.cleaned_data["is_point_of_contact"],
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['user']} added to the team.")
                return redirect("projects:team", project_id=project.pk)
    context["add_forms"] = add_forms
    context["sides"] = [
        (side, [m for m in context["team"] if m.side == side], add_forms.get(side))
        for side in (Side.SPONSOR, Side.CDMO)
    ]
    return render(request, "projects/team.html", context)


def _member_for(access, member_id: int) -> ProjectMember:
    return get_object_or_404(
        ProjectMember.objects.select_related("user", "project"),
        pk=member_id,
        project=access.project,
        removed_at__isnull=True,
    )


@login_required
def team_member_edit_view(request, project_id: int, projectmember_id: int):
    context = project_page(request, project_id, "team")
    access = context["access"]
    member = _member_for(access, projectmember_id)
    if not permissions.can_manage_team(access, member.side):
        raise PermissionDenied("You cannot change this side of the team.")
    initial = {"role": member.role, "is_point_of_contact": member.is_point_of_contact}
    form = TeamMemberChangeForm(request.POST or None, side=member.side, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_member_change(access=access, member=member, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{member.user}'s role saved.")
            return redirect("projects:team", project_id=access.project.pk)
    context.update(form=form, member=member)
    return render(request, "projects/member_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_member_remove_view(request, project_id: int, projectmember_id: int):
    """Remove a member: at once when nothing follows, else after a confirmation page that says
    what follows (a plain form post, or an htmx swap of the member's row)."""
    context = project_page(request, project_id, "team")
    access = context["access"]
    member = _member_for(access, projectmember_id)
    if not permissions.can_manage_team(access, member.side):
        raise PermissionDenied("You cannot change this side of the team.")
    team_url = reverse("projects:team", kwargs={"project_id": access.project.pk})
    refusal = last_side_manager_refusal(member=member)
    consequences = removal_consequences(access=access, member=member)
    if request.method == "POST" and not refusal:
        try:
            services.team_member_remove(
                access=access, member=member, confirmed=request.POST.get("confirm") == "1"
            )
        except ConfirmationRequired as pending:
            consequences = list(pending.consequences)
        except ServiceError as error:
            refusal = str(error)
        else:
            messages.success(
                request, f"{member.user} was removed from the team. The record of their membership is kept."
            )
            still_visible = projects_visible_to(user=request.user).filter(pk=access.project.pk).exists()
            target = team_url if still_visible else reverse("projects:list")
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    context.update(member=member, refusal=refusal, consequences=consequences, team_url=team_url)
    template = "projects/member_remove.html" + ("#confirm" if request.htmx else "")
    return render(request, template, context)
