from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ConcurrentEditError, ConfirmationRequired, ServiceError
from portal.core.history import project_history_page
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page

from . import services
from .forms import (
    ProjectCreateForm,
    ProjectFilterForm,
    ProjectForm,
    TeamMemberAddForm,
    TeamMemberChangeForm,
)
from .models import ProjectMember, Side
from .page import project_page
from .selectors import (
    candidates_for_team,
    counterparties_for,
    last_side_manager_refusal,
    project_list,
    projects_visible_to,
    removal_consequences,
)


@organization_member_required
def project_list_view(request):
    form = ProjectFilterForm(
        request.GET or None,
        counterparties=counterparties_for(user=request.user),
        user_org=request.user.organization,
    )
    filters = form.to_filters()
    page = paginate(request, project_list(user=request.user, filters=filters))
    context = {
        "form": form,
        "page": page,
        "filtered": any([filters.q, filters.status, filters.phase, filters.sponsor, filters.cdmo]),
        "querystring": querystring_without_page(request),
        "can_create": request.user.is_org_admin,
    }
    template = (
        "projects/list.html#results" if request.htmx and not request.htmx.boosted else "projects/list.html"
    )
    return render(request, template, context)


@organization_member_required
def project_create_view(request):
    if not request.user.is_org_admin:
        raise PermissionDenied("Only organization admins create projects.")
    org = request.user.organization
    form = ProjectCreateForm(request.POST or None, user_org=org)
    if request.method == "POST" and form.is_valid():
        counterparty = form.cleaned_data["counterparty"]
        sponsor, cdmo = (org, counterparty) if org.is_sponsor else (counterparty, org)
        try:
            project = services.project_create(
                actor=request.user, sponsor=sponsor, cdmo=cdmo, **form.project_fields()
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Project {project.code} created. Now add the team.")
            return redirect("projects:team", project_id=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": "New project"})


@login_required
def project_detail_view(request, project_id: int):
    context = project_page(request, project_id, "overview")
    return render(request, "projects/detail.html", context)


@login_required
def project_edit_view(request, project_id: int):
    context = project_page(request, project_id, "overview")
    project, access = context["project"], context["access"]
    if not access.can_manage_project:
        raise PermissionDenied("Only the CDMO project manager or a CDMO admin can edit this project.")
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            services.project_update(access=access, version=version, **form.project_fields())
        except ConcurrentEditError as error:
            add_service_error(form, error)
            context["latest_version"] = project.__class__.objects.get(pk=project.pk)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Project details saved.")
            return redirect(project)
    context.update(form=form, title=f"Edit {project.code}")
    return render(request, "projects/form.html", context)


@login_required
def project_team_view(request, project_id: int):
    context = project_page(request, project_id, "team")
    project, access = context["project"], context["access"]
    add_forms = {}
    for side in (Side.SPONSOR, Side.CDMO):
        if access.can_manage_team_side(side):
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
    if not access.can_manage_team_side(member.side):
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
    if not access.can_manage_team_side(member.side):
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


@login_required
def project_history_view(request, project_id: int):
    context = project_page(request, project_id, "history")
    context["page"] = project_history_page(
        request=request, project=context["project"], access=context["access"]
    )
    return render(request, "projects/history.html", context)
