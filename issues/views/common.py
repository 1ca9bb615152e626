"""What the pages of one issue share: finding the issue in its project, the forms of each step."""

from __future__ import annotations

from django.utils import timezone

from portal.signatures.forms import SigningForm
from projects.models import Side
from projects.selectors import team_users

from .. import forms, services
from ..models import ServiceIssue
from ..selectors import issue_in_project
from ..signing import latest_resolution
from ..workflow import Action


def _issue_in(context: dict, serviceissue_id: int) -> ServiceIssue:
    return issue_in_project(project=context["project"], serviceissue_id=serviceissue_id)


ACTION_FORMS = {
    Action.ACKNOWLEDGE: forms.AcknowledgeForm,
    Action.ACCEPT_PLAN: forms.AcceptPlanForm,
    Action.SEND_BACK_PLAN: forms.SendBackPlanForm,
    Action.RESOLVE: forms.ResolveForm,
    Action.CONFIRM_CLOSED: forms.ConfirmClosedForm,
    Action.REOPEN: forms.ReopenForm,
    Action.ESCALATE: forms.EscalateForm,
}


def _plan_form(project, data=None, *, proposer=None):
    return forms.PlanForm(
        data,
        owners=team_users(project=project, side=Side.CDMO, active_only=True),
        today=timezone.localdate(timezone=services.calendar_for(project).zone),
        # Whoever proposes usually owns it; they can pick someone else on the team.
        initial={"owner": proposer.pk} if proposer is not None else None,
    )


# The steps the sponsor signs (docs/signatures.md), with the signed action's key.
SIGNED_STEPS = {
    Action.ACCEPT_PLAN: "issues.plan_accept",
    Action.SEND_BACK_PLAN: "issues.plan_send_back",
    Action.CONFIRM_CLOSED: "issues.confirm_closed",
}


def signing_form(request, action: str, *, issue: ServiceIssue, plan=None, data=None) -> SigningForm | None:
    """The signing dialog of a signed step (None for the others): it signs the plan, or for the
    closure the resolution the CDMO reported."""
    if action not in SIGNED_STEPS:
        return None
    record = latest_resolution(issue) if action == Action.CONFIRM_CLOSED else plan
    if record is None:
        return None
    record.issue = issue
    return SigningForm(
        data, action=SIGNED_STEPS[action], record=record, request=request, prefix=f"sign-{action}"
    )


def _action_forms(issue: ServiceIssue, actions: list[str], user=None) -> dict:
    result = {}
    for action in actions:
        if action == Action.PROPOSE_PLAN:
            result[action] = _plan_form(issue.project, proposer=user)
        else:
            result[action] = ACTION_FORMS[action](prefix=action)
    return result
