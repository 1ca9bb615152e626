"""Proposals: a project one organization proposed to another, before the other side accepts it.

The other side reads the proposal here and nothing else of the project (every other project URL
answers 404 for it, through `projects_visible_to`); its admin accepts or declines.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from portal.core.exceptions import ServiceError

from .. import permissions, services
from ..forms import ProposalDeclineForm
from ..models import ProposalStatus
from ..selectors import get_proposal_for_user, projects_visible_to


def _accepted_project(request, project_id: int):
    """The project if it is accepted and the user sees it (the proposal page then forwards to it)."""
    return (
        projects_visible_to(user=request.user)
        .filter(pk=project_id, proposal_status=ProposalStatus.ACCEPTED)
        .first()
    )


def _render(request, project, access, form=None, status=200):
    may_decide = permissions.can_decide_proposal(access)
    context = {
        "project": project,
        "access": access,
        "may_decide": may_decide,
        "decline_form": form or (ProposalDeclineForm() if may_decide else None),
        "is_proposer": request.user.organization_id == project.proposed_by_org_id,
    }
    return render(request, "projects/proposal.html", context, status=status)


@login_required
def proposal_view(request, project_id: int):
    accepted = _accepted_project(request, project_id)
    if accepted is not None:
        return redirect(accepted)
    project, access = get_proposal_for_user(user=request.user, project_id=project_id)
    return _render(request, project, access)


@login_required
def proposal_accept_view(request, project_id: int):
    accepted = _accepted_project(request, project_id)
    if accepted is not None:
        return redirect(accepted)
    project, access = get_proposal_for_user(user=request.user, project_id=project_id)
    if request.method != "POST":
        return redirect(project.get_proposal_url())
    try:
        project = services.proposal_accept(access=access)  # NotAllowed is a 403
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(project.get_proposal_url())
    messages.success(request, f"You accepted {project.code}. Add your team to start working on it.")
    return redirect("projects:team", project_id=project.pk)


@login_required
def proposal_decline_view(request, project_id: int):
    accepted = _accepted_project(request, project_id)
    if accepted is not None:
        return redirect(accepted)
    project, access = get_proposal_for_user(user=request.user, project_id=project_id)
    if request.method != "POST":
        return redirect(project.get_proposal_url())
    if not project.is_proposed:
        messages.error(request, f"This proposal was already {project.get_proposal_status_display().lower()}.")
        return redirect(project.get_proposal_url())
    if not permissions.can_decide_proposal(access):
        raise PermissionDenied(f"Only an admin of {project.deciding_org} can decline this proposal.")
    form = ProposalDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_decline(access=access, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"You declined {project.code}. {project.proposed_by_org} is told why.")
            return redirect(project.get_proposal_url())
    return _render(request, project, access, form=form)
