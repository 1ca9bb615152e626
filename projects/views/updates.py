"""Status updates: the Updates tab, the update page (acknowledge, discuss, decide), drafting and publishing.

Thin views: visibility through the selectors (outsiders get 404, sponsors never
see drafts), rules in the services, htmx fragments where something changes in
place, and a full page for every request without htmx.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page
from portal.signatures.forms import SigningForm
from portal.signatures.services import signatures_of

from .. import permissions, services
from ..forms import (
    AnswerForm,
    AttachmentForm,
    CommentForm,
    update_content,
    update_forms,
)
from ..models import RAG, StatusUpdate, UpdateStatus
from ..page import project_page
from ..selectors import (
    correction_changes,
    correction_draft_of,
    get_project_for_user,
    get_update,
    last_published_update,
    open_decisions_for_project,
    update_acknowledgements,
    update_attachments,
    update_decisions,
    update_revisions,
    update_thread,
    updates_for_project,
)


def _update_page(request, project_id: int, statusupdate_id: int):
    context = project_page(request, project_id, "updates")
    update = get_update(access=context["access"], update_id=statusupdate_id)
    context["update"] = update
    return context, update


def _require_author(access) -> None:
    if not permissions.can_author_updates(access):
        raise PermissionDenied("Only the CDMO project manager or a CDMO admin writes status updates.")


def _author_draft(request, project_id: int, statusupdate_id: int):
    """(page context, the update, None) for its author while it is a draft; once it is a record,
    the redirect back to it (the refusal said) in third place."""
    context, update = _update_page(request, project_id, statusupdate_id)
    _require_author(context["access"])
    if update.is_draft:
        return context, update, None
    messages.error(request, services.RECORD_MESSAGE)
    return context, update, redirect(update)


@login_required
def updates_view(request, project_id: int):
    context = project_page(request, project_id, "updates")
    access = context["access"]
    overall = request.GET.get("overall", "")
    updates = updates_for_project(access=access)
    if overall in RAG.values:
        updates = updates.filter(overall_rag=overall)
    else:
        overall = ""
    context.update(
        page=paginate(request, updates, per_page=15),
        querystring=querystring_without_page(request),
        overall=overall,
        rag_choices=RAG.choices,
        can_author=permissions.can_author_updates(access),
        today=timezone.localdate(),
    )
    return render(request, "projects/updates.html", context)


@login_required
@require_POST
def update_start_view(request, project_id: int):
    _, access = get_project_for_user(user=request.user, project_id=project_id)
    update = services.update_start(access=access)
    return redirect("projects:update_edit", project_id=project_id, statusupdate_id=update.pk)


def _detail_context(
    request, context: dict, update: StatusUpdate, *, comment_form=None, answer_forms=None, signing=None
) -> dict:
    access = context["access"]
    can_author = permissions.can_author_updates(access)
    publish_problems = services.publish_problems(update) if update.is_draft and can_author else {}
    if signing is None and update.is_draft and can_author and not publish_problems:
        signing = _publish_signing(request, update)
    acknowledgements = update_acknowledgements(update=update)
    attachments = update_attachments(update=update)
    changes = correction_changes(update=update, attachments=attachments)
    revisions, newer, correction_draft = [], None, None
    if update.revision_of_id or update.status == UpdateStatus.SUPERSEDED:
        revisions = update_revisions(update=update)
        newer = next((r for r in revisions if r.status == UpdateStatus.PUBLISHED and r.pk != update.pk), None)
    if update.status == UpdateStatus.PUBLISHED and permissions.can_author_updates(access):
        correction_draft = correction_draft_of(update=update)
    acknowledged = {a.user_id for a in acknowledgements}
    context.update(
        update=update,
        acknowledgements=acknowledgements,
        pending_acknowledgers=[
            m.user for m in context["team"] if m.side == "sponsor" and m.user_id not in acknowledged
        ],
        my_acknowledgement=next((a for a in acknowledgements if a.user_id == request.user.pk), None),
        attachments=attachments,
        decisions=update_decisions(update=update),
        thread=update_thread(access=access, update=update),
        changes=changes,
        revisions=revisions,
        newer=newer,
        correction_draft=correction_draft,
        comment_form=comment_form or _comment_form(access),
        answer_forms=answer_forms or {},
        answer_form=AnswerForm(),
        can_author=can_author,
        signing=signing,
        publish_problems=publish_problems,
        signed=[] if update.is_draft else signatures_of(update),
        can_acknowledge=permissions.can_acknowledge(access) and update.status == UpdateStatus.PUBLISHED,
        can_comment=permissions.can_comment(access) and update.status == UpdateStatus.PUBLISHED,
        can_answer=permissions.can_answer(access),
        can_resolve=permissions.can_resolve_decision(access),
        now=timezone.now(),
        today=timezone.localdate(),
    )
    return context


def _comment_form(access, data=None) -> CommentForm:
    return CommentForm(
        data,
        may_ask=permissions.can_ask_question(access),
        may_post_internal=permissions.can_post_internal(access),
    )


@login_required
def _publish_signing(request, update: StatusUpdate, data=None) -> SigningForm:
    return SigningForm(data, action="projects.update_publish", record=update, request=request, prefix="sign")


@login_required
@require_POST
def update_publish_view(request, project_id: int, statusupdate_id: int):
    """Publish a complete draft, signed by its author (meaning Authored), as the page showed it."""
    context, update, refused = _author_draft(request, project_id, statusupdate_id)
    if refused is not None:
        return refused
    access = context["access"]
    signing = _publish_signing(request, update, request.POST)
    if signing.is_valid():
        try:
            signature = signing.sign(
                perform=lambda: services.update_publish(access=access, update=update, version=update.version)
            )
        except services.UpdateNotReady:
            messages.error(request, "This draft is not complete any more. Complete it, then publish.")
            return redirect("projects:update_edit", project_id=project_id, statusupdate_id=update.pk)
        except ServiceError as error:
            signing.add_error(None, str(error))
        else:
            if signature is not None:
                update.refresh_from_db()
                if update.is_correction:
                    messages.success(
                        request,
                        f"Correction published as revision {update.revision_number}. "
                        "The sponsor's team will be emailed with what changed.",
                    )
                else:
                    messages.success(request, "Update published. The sponsor's project team will be emailed.")
                return redirect(update)
    return render(
        request, "projects/update_detail.html", _detail_context(request, context, update, signing=signing)
    )


@login_required
def update_detail_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    return render(request, "projects/update_detail.html", _detail_context(request, context, update))


def _edit_context(context: dict, update: StatusUpdate, forms) -> dict:
    form, steps, decisions = forms
    previous = last_published_update(project=update.project)
    if previous is not None and previous.pk == update.pk:
        previous = None
    context.update(
        update=update,
        form=form,
        steps=steps,
        decision_rows=decisions,
        rag_fields=[
            form[name] for name in ("overall_rag", "schedule_rag", "budget_rag", "quality_rag", "supply_rag")
        ],
        attachments=update_attachments(update=update),
        attachment_form=AttachmentForm(),
        previous=previous,
        open_decisions=list(open_decisions_for_project(project=update.project)),
        today=timezone.localdate(),
    )
    return context


def _apply_problems(forms, problems: dict[str, str]) -> None:
    form, steps, decisions = forms
    for name, message in problems.items():
        if name == "next_steps":
            steps._non_form_errors = steps.error_class([message])
        elif name == "decisions_needed":
            decisions._non_form_errors = decisions.error_class([message])
        elif name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, message)


@login_required
def update_edit_view(request, project_id: int, statusupdate_id: int):
    """Edit a draft: save explicitly, publish, or ask for more rows. Published updates refuse, clearly."""
    context, update, refused = _author_draft(request, project_id, statusupdate_id)
    if refused is not None:
        return refused
    access = context["access"]
    if request.method != "POST":
        return render(
            request, "projects/update_form.html", _edit_context(context, update, update_forms(update))
        )

    forms = update_forms(update, request.POST)
    form, steps, decisions = forms
    action = request.POST.get("action", "save")
    if form.is_valid() & steps.is_valid() & decisions.is_valid():
        try:
            update = services.update_save_draft(
                access=access, update=update, version=form.cleaned_data["version"], **update_content(*forms)
            )
        except ConcurrentEditError as error:
            add_service_error(form, error)
            context["stale"] = True
        except ServiceError as error:
            add_service_error(form, error)
        else:
            if action == "publish":
                problems = services.publish_problems(update)
                if not problems:
                    messages.info(request, "Read it through as the sponsor will, then sign to publish it.")
                    return redirect(update.get_absolute_url() + "#sign")
                # Saved, not published: show what is missing next to each field.
                data = request.POST.copy()
                data["version"] = update.version
                forms = update_forms(update, data)
                for f in forms:
                    f.is_valid()
                _apply_problems(forms, problems)
                forms[0].add_error(None, "Your draft is saved. Complete the highlighted parts to publish it.")
            else:
                if action == "more":
                    return redirect(
                        reverse(
                            "projects:update_edit",
                            kwargs={"project_id": project_id, "statusupdate_id": update.pk},
                        )
                        + "#next-steps"
                    )
                messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}.")
                return redirect("projects:update_edit", project_id=project_id, statusupdate_id=update.pk)
    return render(request, "projects/update_form.html", _edit_context(context, update, forms))


@login_required
@require_POST
def update_autosave_view(request, project_id: int, statusupdate_id: int):
    """htmx autosave of a draft: answers with a small "Saved 10:42" note (and the new version)."""
    context, update = _update_page(request, project_id, statusupdate_id)
    access = context["access"]
    _require_author(access)
    state = {"ok": False, "update": update}
    if not update.is_draft:
        state["message"] = services.RECORD_MESSAGE
    else:
        forms = update_forms(update, request.POST)
        form, steps, decisions = forms
        if form.is_valid() & steps.is_valid() & decisions.is_valid():
            try:
                update = services.update_save_draft(
                    access=access,
                    update=update,
                    version=form.cleaned_data["version"],
                    **update_content(*forms),
                )
            except ServiceError as error:
                state["message"] = str(error)
            else:
                state.update(ok=True, update=update, saved_at=timezone.localtime(update.updated_at))
        else:
            state["message"] = "Not saved yet: some fields need correcting (save the draft to see which)."
    return render(request, "projects/update_form.html#save_status", {**context, **state})


@login_required
@require_POST
def update_correct_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    try:
        correction = services.update_correct(access=context["access"], update=update)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.info(
        request,
        f"Correction started as revision {correction.revision_number}. The published update stays as it is "
        "until you publish the correction; then the sponsor sees what changed.",
    )
    return redirect("projects:update_edit", project_id=project_id, statusupdate_id=correction.pk)


@login_required
@require_POST
def update_discard_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    try:
        services.update_discard(access=context["access"], update=update)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, "Draft discarded.")
    return redirect("projects:updates", project_id=project_id)


@login_required
@require_POST
def update_acknowledge_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    try:
        services.update_acknowledge(access=context["access"], update=update)
    except ServiceError as error:
        messages.error(request, str(error))
        if not request.htmx:
            return redirect(update)
    if request.htmx:
        return render(
            request, "projects/update_detail.html#acknowledgements", _detail_context(request, context, update)
        )
    messages.success(request, "Thank you: your acknowledgement is recorded.")
    return redirect(update)
