"""Pages of the log: lists with figures, raising an issue, an issue's page, notes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.views_helpers import PAGE_SIZE, add_service_error, paginate, querystring_without_page
from portal.signatures.services import attach_signatures
from projects.page import project_page

from .. import forms, permissions, services, workflow
from ..models import ESCALATION_PHRASES, EscalationLevel, IssueStatus, PlanStatus, ServiceIssue
from ..selectors import (
    AGE_BUCKETS,
    ListedIssues,
    effective_agreements,
    escalation_recipients,
    figures_by_cdmo,
    issue_attachments,
    issue_list_for_user,
    issue_plans,
    issue_recognitions,
    issue_timeline,
    project_figures,
    project_issue_list,
    project_recognitions,
)
from ..workflow import Action
from .common import _action_forms, _issue_in, signing_form
from .rows import issue_rows

# Lists ---------------------------------------------------------------------------


def _listed(request, issues, *, show_project: bool) -> dict:
    """The page of `issues` the request names, and its rows."""
    page = paginate(request, ListedIssues(issues, page=request.GET.get("page"), per_page=PAGE_SIZE))
    rows = issue_rows(
        page.object_list, user=request.user, today=timezone.localdate(), show_project=show_project
    )
    return {"page": page, "rows": rows, "show_project": show_project}


@organization_member_required
def project_issues_view(request, project_id: int):
    """The project's Service issues tab: figures, agreed times, issues, recognition."""
    context = project_page(request, project_id, "issues")
    project, access = context["project"], context["access"]
    form = forms.IssueFilterForm(request.GET or None)
    filters = form.to_filters()
    context.update(
        _listed(request, project_issue_list(project=project, filters=filters), show_project=False),
        form=form,
        filters=filters,
        querystring=querystring_without_page(request),
        list_url=reverse("issues:project_issues", kwargs={"project_id": project.pk}),
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "issues/project_issues.html#results", context)
    context.update(
        figures=project_figures(project=project),
        age_buckets=AGE_BUCKETS,
        agreements=effective_agreements(project=project),
        recognitions=project_recognitions(project=project, limit=6),
        can_raise=permissions.can_raise(access),
        can_edit_agreements=permissions.can_edit_agreements(access),
    )
    return render(request, "issues/project_issues.html", context)


@login_required
def issue_list_view(request):
    """Service issues across every project the person can see, with figures per CDMO."""
    form = forms.IssueFilterForm(request.GET or None, user=request.user)
    filters = form.to_filters()
    context = {
        **_listed(request, issue_list_for_user(user=request.user, filters=filters), show_project=True),
        "form": form,
        "filters": filters,
        "querystring": querystring_without_page(request),
        "list_url": reverse("issues:list"),
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
    if not permissions.can_raise(access):
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


@login_required
def issue_detail_view(request, project_id: int, serviceissue_id: int):
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    _detail_context(request, context, issue, access)
    return render(request, "issues/detail.html", context)


def _detail_context(request, context: dict, issue: ServiceIssue, access, note_form=None) -> None:
    actions = workflow.available_actions(access, issue)
    plans = issue_plans(issue=issue)
    pending_plan = next((p for p in plans if p.status == PlanStatus.PROPOSED), None)
    timeline = issue_timeline(issue=issue, access=access)
    for record in (*plans, *timeline):
        record.issue = issue
    attach_signatures([*plans, *timeline])
    recognitions = issue_recognitions(issue=issue)
    next_level = min(issue.escalation_level + 1, 2)
    context.update(
        issue=issue,
        actions=actions,
        action_forms=_action_forms(issue, actions, user=access.user),
        signing_forms={
            action: signing_form(request, action, issue=issue, plan=pending_plan) for action in actions
        },
        pending_plan=pending_plan,
        accepted_plan=next((p for p in plans if p.status == PlanStatus.ACCEPTED), None),
        plans=plans,
        timeline=timeline,
        attachments=issue_attachments(issue=issue),
        note_form=note_form or forms.NoteForm(allow_internal=permissions.can_write_internal_notes(access)),
        attachment_form=forms.AttachmentForm(),
        recognitions=recognitions,
        can_recognize=(
            permissions.can_recognize(access)
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


@login_required
def issue_note_view(request, project_id: int, serviceissue_id: int):
    """Add a note to the timeline; htmx swaps the timeline in place."""
    context = project_page(request, project_id, "issues")
    access = context["access"]
    issue = _issue_in(context, serviceissue_id)
    form = forms.NoteForm(request.POST or None, allow_internal=permissions.can_write_internal_notes(access))
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
                form = forms.NoteForm(allow_internal=permissions.can_write_internal_notes(access))
            else:
                messages.success(request, "Note added.")
                return redirect(issue.get_absolute_url() + "#timeline")
    _detail_context(request, context, issue, access, note_form=form)
    if request.htmx:
        return render(request, "issues/detail.html#timeline", context)
    return render(request, "issues/detail.html", context)
