"""Pages for projects: the list, creating one, its overview, editing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.paging import CountedQuerySet
from portal.core.views_helpers import PAGE_SIZE, add_service_error, paginate, querystring_without_page

from .. import permissions, services
from ..forms import (
    ProjectCreateForm,
    ProjectFilterForm,
    ProjectForm,
)
from ..page import overview_page, project_page
from ..selectors import (
    agreement_in_force,
    counterparties_for,
    project_list,
    proposals_waiting_for,
)
from .rows import project_rows


@organization_member_required
def project_list_view(request):
    form = ProjectFilterForm(
        request.GET or None,
        counterparties=counterparties_for(user=request.user),
        user_org=request.user.organization,
    )
    filters = form.to_filters()
    # Sorted by code in full either way: the page and the total in one query.
    projects = project_list(user=request.user, filters=filters)
    page = paginate(request, CountedQuerySet(projects, page=request.GET.get("page"), per_page=PAGE_SIZE))
    sponsor_view = request.user.organization.is_sponsor
    context = {
        "form": form,
        "page": page,
        "rows": project_rows(page.object_list, sponsor_view=sponsor_view),
        "party_label": "CDMO" if sponsor_view else "Sponsor",
        "filtered": any([filters.q, filters.status, filters.phase, filters.sponsor, filters.cdmo]),
        "querystring": querystring_without_page(request),
        "can_create": request.user.is_org_admin,
        "proposals": proposals_waiting_for(user=request.user),
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
            messages.success(
                request,
                f"Project {project.code} proposed to {counterparty}. Add your team while they decide.",
            )
            return redirect("projects:team", project_id=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": "New project"})


@login_required
def project_detail_view(request, project_id: int):
    return render(request, "projects/detail.html", overview_page(request, project_id))


@login_required
def project_edit_view(request, project_id: int):
    context = project_page(request, project_id, "overview")
    project, access = context["project"], context["access"]
    if not permissions.can_manage_project(access):
        raise PermissionDenied("Only the CDMO project manager or a CDMO admin can edit this project.")
    in_force = agreement_in_force(project=project)
    form = ProjectForm(request.POST or None, instance=project, agreed=in_force is not None)
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
    context.update(form=form, title=f"Edit {project.code}", agreement_in_force=in_force)
    return render(request, "projects/form.html", context)
