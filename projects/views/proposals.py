"""Proposals: a project one organization proposed to another, before the other side accepts it.

The other side reads the proposal here and nothing else of the project (every other project URL
answers 404 for it, through `projects_visible_to`); its admin accepts or declines.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal.core.exceptions import ServiceError

from .. import permissions, services
from ..forms import ProposalDeclineForm
from ..models import ProposalStatus
from ..selectors import get_proposal_for_user, projects_visible_to


def _proposal_or_forward(request, project_id: int, *, post_only: bool = False):
    """(response, project, access): a redirect to the project itself once it is accepted and the
    user sees it, or back to the proposal for a GET to a POST-only URL; otherwise no response and
    the proposal as this user may see it (404 for anyone it does not concern)."""
    accepted = (
        projects_visible_to(user=request.user)
        .filter(pk=project_id, proposal_status=ProposalStatus.ACCEPTED)
        .first()
    )
    if accepted is not None:
        return redirect(accepted), None, None
    project, access = get_proposal_for_user(user=request.user, project_id=project_id)
    if post_only and request.method != "POST":
        return redirect(project.get_proposal_url()), project, access
    return None, project, access


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
    response, project, access = _proposal_or_forward(request, project_id)
    return response or _render(request, project, access)


@login_required
def proposal_accept_view(request, project_id: int):
    response, project, access = _proposal_or_forward(request, project_id, post_only=True)
    if response:
        return response
    try:
        project = services.proposal_accept(access=access)  # NotAllowed is a 403
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(project.get_proposal_url())
    messages.success(request, f"You accepted {project.code}. Add your team to start working on it.")
    return redirect("projects:team", project_id=project.pk)


@login_required
def proposal_decline_view(request, project_id: int):
    response, project, access = _proposal_or_forward(request, project_id, post_only=True)
    if response:
        return response
    try:
        services.require_decidable(access)  # before the form: NotAllowed is a 403
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(project.get_proposal_url())
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
