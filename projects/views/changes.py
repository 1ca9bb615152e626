"""Change requests: the project's Changes tab, raising one, and its page where the sponsor's
decider approves an option or rejects it, signing either way (docs/signatures.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page
from portal.signatures.services import signatures_of

from .. import permissions, services
from ..forms import ChangeWithdrawForm, change_forms, filled_options
from ..page import project_page
from ..selectors.changes import (
    change_baselines,
    changes_for_project,
    earlier_revisions,
    get_change,
    open_milestones,
)
from ._dialogs import option_dialogs

FILTERS = {"open": "Open", "all": "All"}


@login_required
def changes_view(request, project_id: int):
    """The project's change requests: the open ones soonest needed first, or all of them."""
    context = project_page(request, project_id, "changes")
    show = request.GET.get("show", "open")
    if show not in FILTERS:
        show = "open"
    changes = changes_for_project(project=context["project"], include_decided=show == "all")
    context.update(
        page=paginate(request, changes),
        querystring=querystring_without_page(request),
        show=show,
        filters=FILTERS,
        today=timezone.localdate(),
        can_raise=permissions.can_raise_change(context["access"]),
    )
    return render(request, "projects/changes.html", context)


def _typed_content(form, options) -> dict | None:
    """What the raise (or edit) form holds, as the service takes it; None while it has errors."""
    typed = filled_options(form, options)
    if typed is None:
        return None
    drafts, recommended = typed
    data = form.cleaned_data
    return {
        "title": data["title"],
        "what": data["what"],
        "why": data["why"],
        "needed_by": data["needed_by"],
        "options": drafts,
        "recommended": recommended,
        "recommendation": data["recommendation"],
    }


@login_required
def change_create_view(request, project_id: int):
    """Raise a change request with its options; a form with errors keeps everything typed."""
    context = project_page(request, project_id, "changes")
    access = context["access"]
    if not permissions.can_raise_change(access):
        raise PermissionDenied("Only the project managers and leads of either side raise change requests.")
    milestones = list(open_milestones(project=context["project"]))
    form, options = change_forms(request.POST if request.method == "POST" else None, milestones=milestones)
    if request.method == "POST":
        content = _typed_content(form, options)
        if content is not None:
            try:
                change = services.change_raise(access=access, **content)
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Change request raised. The other side is told.")
                return redirect(change)
    context.update(form=form, options=options, milestones=milestones)
    return render(request, "projects/change_form.html", context)


@login_required
def change_edit_view(request, project_id: int, changerequest_id: int):
    """Edit a proposed change as the side that raised it: the raise form, prefilled; the options
    are written anew at the next revision (the earlier ones kept). Two edits at once: the second
    is refused with everything it typed still in the form."""
    context = project_page(request, project_id, "changes")
    access = context["access"]
    change = get_change(project=context["project"], change_id=changerequest_id)
    if not permissions.can_withdraw_change(access, change):
        raise PermissionDenied(
            "Only whoever raised the change, or their side's managers, edit it while it is proposed."
        )
    milestones = list(open_milestones(project=context["project"]))
    data = request.POST if request.method == "POST" else None
    form, options = change_forms(data, milestones=milestones, change=change)
    if request.method == "POST":
        content = _typed_content(form, options)
        if content is not None:
            try:
                services.change_edit(
                    access=access, change=change, version=form.cleaned_data["version"], **content
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Change request edited. The other side is told what changed.")
                return redirect(change)
    context.update(form=form, options=options, milestones=milestones, change=change)
    return render(request, "projects/change_form.html", context)


def _stale(form, signing, change) -> bool:
    """The dialog was opened on a version since edited: say so and sign nothing, before anything
    else is checked (its option may be of the earlier revision). No signing attempt is recorded:
    the signer did nothing wrong. The dialog now carries the new version, its note kept and the
    option to choose again, so signing next signs what the page shows."""
    if form.data.get(form.add_prefix("version")) == str(change.version):
        return False
    data = form.data.copy()
    data[form.add_prefix("version")] = str(change.version)
    data.pop(form.add_prefix("option"), None)
    if "shown" in signing.fields:
        data[signing.add_prefix("shown")] = signing.action.digest(change)
    form.data = signing.data = data
    form.errors.clear()
    signing.errors.clear()
    form.add_error(None, services.STALE_DECISION)
    return True


@login_required
def change_view(request, project_id: int, changerequest_id: int):
    """A change request: what and why, the options side by side, the recommendation; the
    sponsor's decider approves one option or rejects it, signing either way."""
    context = project_page(request, project_id, "changes")
    access = context["access"]
    change = get_change(project=context["project"], change_id=changerequest_id)
    can_decide = permissions.can_decide_change(access)
    dialogs = {}
    if can_decide and change.is_open:
        dialogs = option_dialogs(
            request,
            change,
            actions={
                "approve": ("projects.change_approve", None),
                "reject": ("projects.change_reject", None),
            },
            version=change.version,
        )
    step = request.POST.get("step") if request.method == "POST" else None
    withdraw = None
    if permissions.can_withdraw_change(access, change):
        withdraw = ChangeWithdrawForm(request.POST if step == "withdraw" else None, prefix="withdraw")
    if step == "withdraw":
        if withdraw is None:
            raise PermissionDenied("Only whoever raised the change, or their side's managers, withdraw it.")
        if withdraw.is_valid():
            try:
                services.change_withdraw(access=access, change=change, reason=withdraw.cleaned_data["reason"])
            except ServiceError as error:
                add_service_error(withdraw, error)
            else:
                messages.success(request, "Change request withdrawn. The other side is told.")
                return redirect(change)
    elif request.method == "POST":
        if not can_decide:
            raise PermissionDenied(
                "Only the sponsor's project lead or decision-maker decides a change request."
            )
        if not dialogs:
            messages.error(request, "This change request is already decided.")
            return redirect(change)
        if step in dialogs:
            form, signing = dialogs[step]
            if not _stale(form, signing, change) and form.is_valid() & signing.is_valid():
                version = form.cleaned_data["version"]
                if step == "approve":
                    perform = lambda: services.change_approve(  # noqa: E731
                        access=access,
                        change=change,
                        option=form.chosen(),
                        reason=form.cleaned_data["reason"],
                        version=version,
                    )
                else:
                    perform = lambda: services.change_reject(  # noqa: E731
                        access=access, change=change, reason=form.cleaned_data["reason"], version=version
                    )
                if signing.sign(perform=perform, errors_on=form) is not None:
                    messages.success(request, "Decision signed and recorded. The other side is told.")
                    return redirect(change)
    options = change.current_options
    context.update(
        change=change,
        options=options,
        earlier_revisions=earlier_revisions(change=change),
        dialogs=dialogs,
        withdraw=withdraw,
        can_edit=withdraw is not None,
        signed=signatures_of(change),
        baselines=list(change_baselines(change=change)) if change.approved_option_id else [],
        today=timezone.localdate(),
    )
    return render(request, "projects/change.html", context)
