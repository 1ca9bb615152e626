"""Pages of the service-issue log. Thin: a selector to read, a service to write.

Every page that shows an issue goes through `project_page` (which 404s anyone
who cannot see the project) and then looks the issue up inside that project.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page
from projects.models import Side
from projects.page import project_page
from projects.selectors import get_project_for_user, projects_visible_to, team_users

from . import forms, services, workflow
from .models import ESCALATION_PHRASES, EscalationLevel, IssueStatus, PlanStatus, ResolutionPlan, ServiceIssue
from .recognition import TargetNotFound, credited_person, resolve_target, target_ready_for_recognition
from .selectors import (
    AGE_BUCKETS,
    effective_agreements,
    escalation_recipients,
    figures_by_cdmo,
    get_attachment_for_user,
    get_plan,
    issue_attachments,
    issue_in_project,
    issue_list_for_user,
    issue_plans,
    issue_recognitions,
    issue_timeline,
    latest_plan_prefetch,
    project_figures,
    project_issue_list,
    project_recognitions,
    recognitions_received,
)
from .workflow import Action

logger = logging.getLogger(__name__)


# Lists ---------------------------------------------------------------------------


@organization_member_required
def project_issues_view(request, project_id: int):
    """The project's Service issues tab: figures, agreed times, issues, recognition."""
    context = project_page(request, project_id, "issues")
    project, access = context["project"], context["access"]
    form = forms.IssueFilterForm(request.GET or None)
    filters = form.to_filters()
    page = paginate(
        request, project_issue_list(project=project, filters=filters).prefetch_related(latest_plan_prefetch())
    )
    context.update(
        form=form,
        filters=filters,
        page=page,
        querystring=querystring_without_page(request),
        list_url=reverse("issues:project_issues", kwargs={"project_id": project.pk}),
        show_project=False,
        today=timezone.localdate(),
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "issues/project_issues.html#results", context)
    context.update(
        figures=project_figures(project=project),
        age_buckets=AGE_BUCKETS,
        agreements=effective_agreements(project=project),
        recognitions=project_recognitions(project=project, limit=6),
        can_raise=workflow.can_raise(access),
        can_edit_agreements=access.can_manage_project,
    )
    return render(request, "issues/project_issues.html", context)


@login_required
def issue_list_view(request):
    """Service issues across every project the person can see, with figures per CDMO."""
    projects = projects_visible_to(user=request.user).order_by("code").only("pk", "code")
    form = forms.IssueFilterForm(request.GET or None, projects=projects)
    filters = form.to_filters()
    page = paginate(
        request,
        issue_list_for_user(user=request.user, filters=filters).prefetch_related(latest_plan_prefetch()),
    )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "querystring": querystring_without_page(request),
        "list_url": reverse("issues:list"),
        "show_project": True,
        "today": timezone.localdate(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "issues/list.html#results", context)
    context.update(cdmo_figures=figures_by_cdmo(user=request.user), age_buckets=AGE_BUCKETS)
    return render(request, "issues/list.html", context)


# Raise and read ----------------------------------------------------------------------


@login_required
def issue_raise_view(request, project_id: int):
    context = project_page(request, project_id, "issues")
    project, access = context["project"], context["access"]
    if not workflow.can_raise(access):
        raise PermissionDenied("Service issues are raised by the sponsor.")
    agreements = effective_agreements(project=project)
    form = forms.RaiseIssueForm(request.POST or None, request.FILES or None, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.issue_raise(
                access=access,
                category=data["category"],
                severity=data["severity"],
                title=data["title"],
                description=data["description"],
                impact=data["impact"],
                desired_outcome=data["desired_outcome"],
                files=data["attachments"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"{issue.reference} raised. {project.cdmo} has been notified and owes an acknowledgement "
                f"by {timezone.localtime(issue.acknowledge_by):%a %d %b, %H:%M}.",
            )
            return redirect(issue)
    context.update(form=form, agreements=agreements, cdmo_zone=project.cdmo.time_zone)
    return render(request, "issues/raise.html", context)


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


def _action_forms(issue: ServiceIssue, actions: list[str], user=None) -> dict:
    result = {}
    for action in actions:
        if action == Action.PROPOSE_PLAN:
            result[action] = _plan_form(issue.project, proposer=user)
        else:
            result[action] = ACTION_FORMS[action](prefix=action)
    return result


@login_required
def issue_detail_view(request, project_id: int, serviceissue_id: int):
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    _detail_context(context, issue, access)
    return render(request, "issues/detail.html", context)


def _detail_context(context: dict, issue: ServiceIssue, access, note_form=None) -> None:
    actions = workflow.available_actions(access, issue)
    plans = issue_plans(issue=issue)
    recognitions = issue_recognitions(issue=issue)
    next_level = min(issue.escalation_level + 1, 2)
    context.update(
        issue=issue,
        actions=actions,
        action_forms=_action_forms(issue, actions, user=access.user),
        pending_plan=next((p for p in plans if p.status == PlanStatus.PROPOSED), None),
        accepted_plan=next((p for p in plans if p.status == PlanStatus.ACCEPTED), None),
        plans=plans,
        timeline=issue_timeline(issue=issue, access=access),
        attachments=issue_attachments(issue=issue),
        note_form=note_form or forms.NoteForm(allow_internal=access.sees_internal),
        attachment_form=forms.AttachmentForm(),
        recognitions=recognitions,
        can_recognize=(
            access.is_sponsor
            and issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED)
            and not any(r.given_by_id == access.user.pk for r in recognitions)
        ),
        cdmo_zone=issue.project.cdmo.time_zone,
        viewer_zone=timezone.get_current_timezone_name(),
        escalation_levels=EscalationLevel.choices,
        action_labels=dict(Action.choices),
        next_level_label=ESCALATION_PHRASES[next_level],
        next_level_people=(
            escalation_recipients(project=issue.project, level=next_level)
            if Action.ESCALATE in actions
            else []
        ),
    )


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
    refused = None
    if workflow.target_status(action, issue.status) is None:
        refused = workflow.refusal(action, issue.status)
    if request.method == "POST" and form.is_valid():
        try:
            _run_action(action, access=access, issue=issue, data=form.cleaned_data, plan=plan)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, SUCCESS_MESSAGES[action])
            return redirect(issue)
    context.update(
        issue=issue,
        action=action,
        action_label=Action(action).label,
        form=form,
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


@login_required
def issue_note_view(request, project_id: int, serviceissue_id: int):
    """Add a note to the timeline; htmx swaps the timeline in place."""
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    form = forms.NoteForm(request.POST or None, allow_internal=access.sees_internal)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_add_note(
                access=access,
                issue=issue,
                text=form.cleaned_data["text"],
                internal=form.cleaned_data.get("internal", False),
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                form = forms.NoteForm(allow_internal=access.sees_internal)
            else:
                messages.success(request, "Note added.")
                return redirect(issue.get_absolute_url() + "#timeline")
    _detail_context(context, issue, access, note_form=form)
    if request.htmx:
        return render(request, "issues/detail.html#timeline", context)
    return render(request, "issues/detail.html", context)


@login_required
def issue_attachments_view(request, project_id: int, serviceissue_id: int):
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_add_attachments(access=access, issue=issue, files=form.cleaned_data["files"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Attached.")
            return redirect(issue.get_absolute_url() + "#attachments")
    context.update(
        issue=issue,
        form=form,
        action="attach",
        action_label="Attach files",
        cdmo_zone=issue.project.cdmo.time_zone,
    )
    return render(request, "issues/action.html", context)


@login_required
@require_GET
def attachment_download_view(request, project_id: int, serviceissue_id: int, serviceissueattachment_id: int):
    attachment = get_attachment_for_user(
        user=request.user,
        project_id=project_id,
        serviceissue_id=serviceissue_id,
        serviceissueattachment_id=serviceissueattachment_id,
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        logger.error("Attachment %s has no file in storage", attachment.pk)
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Agreed response times ---------------------------------------------------------------


@login_required
def agreements_view(request, project_id: int):
    context = project_page(request, project_id, "issues")
    project, access = context["project"], context["access"]
    if not access.can_manage_project:
        raise PermissionDenied(
            "Only the CDMO project manager or a CDMO admin can change the agreed response times."
        )
    agreements = effective_agreements(project=project)
    form = forms.AgreementForm(request.POST or None, agreements=agreements)
    if request.method == "POST" and form.is_valid():
        try:
            for severity, ack, plan in form.changes():
                services.agreement_set(
                    access=access, severity=severity, acknowledge_within_hours=ack, plan_within_hours=plan
                )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Agreed response times saved. They apply to issues raised from now on.")
            return redirect("issues:project_issues", project_id=project.pk)
    context.update(form=form, calendar=services.calendar_for(project))
    return render(request, "issues/agreements.html", context)


# Recognition ---------------------------------------------------------------------------


@login_required
def kudos_view(request, project_id: int):
    """Recognize one update, answer, meeting or resolution: ?target=<app_label.model>:<pk>."""
    project, access = get_project_for_user(user=request.user, project_id=project_id)
    raw = request.GET.get("target") or request.POST.get("target") or ""
    try:
        target = resolve_target(raw, access=access)
    except TargetNotFound as exc:
        raise Http404("Nothing to recognize here.") from exc
    if not access.is_sponsor:
        raise PermissionDenied("Recognition is given by the sponsor team.")
    context = project_page(request, project_id, "issues")
    back = target.url or reverse("issues:project_issues", kwargs={"project_id": project.pk})
    not_ready = target_ready_for_recognition(target)
    people = team_users(project=project, side=Side.CDMO, active_only=True)
    credited = credited_person(target, cdmo_id=project.cdmo_id)
    form = forms.KudosForm(
        request.POST if request.method == "POST" else None,
        people=people,
        initial={"recipient": credited.pk if credited else None},
    )
    if request.method == "POST" and not not_ready and form.is_valid():
        try:
            services.recognition_give(
                access=access,
                target=target,
                note=form.cleaned_data["note"],
                recipient=form.cleaned_data["recipient"],
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Thank you. {project.cdmo} will see your recognition.")
            return redirect(back)
    context.update(target=target, raw_target=raw, form=form, back=back, not_ready=not_ready)
    return render(request, "issues/kudos.html", context)


@login_required
def recognition_received_view(request):
    """Recognition across projects: what the CDMO team received (or the sponsor gave)."""
    mine = request.GET.get("mine") == "1"
    recognitions = recognitions_received(user=request.user)
    if mine:
        recognitions = recognitions.filter(recipient=request.user)
    page = paginate(request, recognitions)
    context = {
        "page": page,
        "mine": mine,
        "is_cdmo": request.user.organization.is_cdmo,
        "querystring": querystring_without_page(request),
        "for_me_count": recognitions_received(user=request.user).filter(recipient=request.user).count()
        if request.user.organization.is_cdmo
        else 0,
    }
    return render(request, "issues/recognition.html", context)
