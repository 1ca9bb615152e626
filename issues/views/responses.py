"""The workflow steps: a small form page (GET) and the step itself (POST)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.views_helpers import add_service_error
from projects.page import project_page

from .. import services, workflow
from ..models import ESCALATION_PHRASES, ResolutionPlan, ServiceIssue
from ..selectors import escalation_recipients, get_plan
from ..workflow import Action
from .common import ACTION_FORMS, _issue_in, _plan_form, signing_form

# Workflow steps ----------------------------------------------------------------------


def _run_action(action: str, *, access, issue: ServiceIssue, data: dict, plan: ResolutionPlan | None = None):
    if action == Action.ACKNOWLEDGE:
        return services.issue_acknowledge(access=access, issue=issue, note=data["note"])
    if action == Action.PROPOSE_PLAN:
        return services.issue_propose_plan(
            access=access,
            issue=issue,
            owner=data["owner"],
            steps=data["steps"],
            target_date=data["target_date"],
        )
    if action == Action.ACCEPT_PLAN:
        return services.issue_accept_plan(access=access, issue=issue, plan=plan, note=data["note"])
    if action == Action.SEND_BACK_PLAN:
        return services.issue_send_back_plan(access=access, issue=issue, plan=plan, note=data["text"])
    if action == Action.RESOLVE:
        return services.issue_resolve(access=access, issue=issue, summary=data["text"])
    if action == Action.CONFIRM_CLOSED:
        return services.issue_confirm_closed(access=access, issue=issue, note=data["note"])
    if action == Action.REOPEN:
        return services.issue_reopen(access=access, issue=issue, reason=data["text"])
    if action == Action.ESCALATE:
        return services.issue_escalate(issue=issue, reason=data["text"], actor=access.user)
    raise Http404("Unknown step.")


SUCCESS_MESSAGES = {
    Action.ACKNOWLEDGE: "Acknowledged. The sponsor will be told; the resolution plan is due next.",
    Action.PROPOSE_PLAN: "Resolution plan sent to the sponsor for acceptance.",
    Action.ACCEPT_PLAN: "Plan accepted. The CDMO will be told to go ahead.",
    Action.SEND_BACK_PLAN: "Plan sent back. The CDMO owes a new plan.",
    Action.RESOLVE: "Marked resolved. The sponsor will confirm or reopen.",
    Action.CONFIRM_CLOSED: "Issue closed. Thank you for confirming.",
    Action.REOPEN: "Issue reopened. The CDMO owes a new resolution plan.",
    Action.ESCALATE: "Escalated. The people at the new level will be emailed.",
}


@organization_member_required
def issue_action_view(request, project_id: int, serviceissue_id: int, action: str, resolutionplan_id=None):
    """One workflow step: a small form page (GET) and the step itself (POST)."""
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    plan = None
    if resolutionplan_id is not None:
        plan = get_plan(issue=issue, resolutionplan_id=resolutionplan_id)
    if not workflow.may(access, issue, action):
        raise PermissionDenied(workflow.role_refusal(action))
    if action == Action.PROPOSE_PLAN:
        form = _plan_form(
            issue.project, request.POST if request.method == "POST" else None, proposer=request.user
        )
    else:
        form = ACTION_FORMS[action](request.POST if request.method == "POST" else None, prefix=action)
    signing = signing_form(
        request, action, issue=issue, plan=plan, data=request.POST if request.method == "POST" else None
    )
    refused = None
    if workflow.target_status(action, issue.status) is None:
        refused = workflow.refusal(action, issue.status)
    if request.method == "POST" and form.is_valid() and (signing is None or signing.is_valid()):

        def step():
            return _run_action(action, access=access, issue=issue, data=form.cleaned_data, plan=plan)

        try:
            done = step() if signing is None else signing.sign(perform=step)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if done is not None:
                messages.success(request, SUCCESS_MESSAGES[action])
                return redirect(issue)
    context.update(
        issue=issue,
        action=action,
        action_label=Action(action).label,
        form=form,
        signing=signing,
        plan=plan,
        refused=refused if request.method == "GET" else None,
        cdmo_zone=issue.project.cdmo.time_zone,
        next_level_label=ESCALATION_PHRASES[min(issue.escalation_level + 1, 2)],
        next_level_people=(
            escalation_recipients(project=issue.project, level=issue.escalation_level + 1)
            if action == Action.ESCALATE and issue.escalation_level < 2
            else []
        ),
    )
    return render(request, "issues/action.html", context, status=200)
