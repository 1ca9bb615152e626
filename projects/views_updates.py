"""Status updates: the Updates tab, the update page (acknowledge, discuss, decide), drafting and publishing.

Thin views: visibility through the selectors (outsiders get 404, sponsors never
see drafts), rules in the services, htmx fragments where something changes in
place, and a full page for every request without htmx.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_member_required
from portal.core.exceptions import ConcurrentEditError, ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page

from . import rules, services
from .attachments import CONTENT_TYPES
from .forms_updates import (
    AnswerForm,
    AttachmentForm,
    CommentForm,
    DecisionResolveForm,
    update_content,
    update_forms,
)
from .models import RAG, CommentKind, StatusUpdate, UpdateAttachment, UpdateComment, UpdateStatus
from .page import project_page
from .selectors import (
    correction_changes,
    correction_draft_of,
    decisions_for_user,
    get_decision,
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
    if not rules.can_author_updates(access):
        raise PermissionDenied("Only the CDMO project manager or a CDMO admin writes status updates.")


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
        can_author=rules.can_author_updates(access),
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
    request, context: dict, update: StatusUpdate, *, comment_form=None, answer_forms=None
) -> dict:
    access = context["access"]
    acknowledgements = update_acknowledgements(update=update)
    attachments = update_attachments(update=update)
    changes = correction_changes(update=update, attachments=attachments)
    revisions, newer, correction_draft = [], None, None
    if update.revision_of_id or update.status == UpdateStatus.SUPERSEDED:
        revisions = update_revisions(update=update)
        newer = next((r for r in revisions if r.status == UpdateStatus.PUBLISHED and r.pk != update.pk), None)
    if update.status == UpdateStatus.PUBLISHED and rules.can_author_updates(access):
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
        can_author=rules.can_author_updates(access),
        can_acknowledge=rules.can_acknowledge(access) and update.status == UpdateStatus.PUBLISHED,
        can_comment=rules.can_comment(access) and update.status == UpdateStatus.PUBLISHED,
        can_answer=rules.can_answer(access),
        can_resolve=rules.can_resolve_decision(access),
        now=timezone.now(),
        today=timezone.localdate(),
    )
    return context


def _comment_form(access, data=None) -> CommentForm:
    return CommentForm(
        data, may_ask=rules.can_ask_question(access), may_post_internal=rules.can_post_internal(access)
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
    context, update = _update_page(request, project_id, statusupdate_id)
    access = context["access"]
    _require_author(access)
    if not update.is_draft:
        messages.error(request, services.RECORD_MESSAGE)
        return redirect(update)
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
                try:
                    update = services.update_publish(access=access, update=update, version=update.version)
                except services.UpdateNotReady as error:
                    # Saved, not published: show what is missing next to each field.
                    data = request.POST.copy()
                    data["version"] = update.version
                    forms = update_forms(update, data)
                    for f in forms:
                        f.is_valid()
                    _apply_problems(forms, error.problems)
                    forms[0].add_error(
                        None, "Your draft is saved. Complete the highlighted parts to publish it."
                    )
                except ServiceError as error:
                    add_service_error(form, error)
                else:
                    if update.is_correction:
                        messages.success(
                            request,
                            f"Correction published as revision {update.revision_number}. "
                            "The sponsor's team will be emailed with what changed.",
                        )
                    else:
                        messages.success(
                            request, "Update published. The sponsor's project team will be emailed."
                        )
                    return redirect(update)
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
def attachment_upload_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    access = context["access"]
    _require_author(access)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                access=access, update=update, upload=form.cleaned_data["file"]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{attachment.original_name} attached.")
    else:
        messages.error(request, "Choose a file to attach.")
    edit_url = reverse(
        "projects:update_edit", kwargs={"project_id": project_id, "statusupdate_id": update.pk}
    )
    return redirect(edit_url + "#attachments")


def _attachment(update: StatusUpdate, attachment_id: int) -> UpdateAttachment:
    return get_object_or_404(
        UpdateAttachment.objects.select_related("update"),
        pk=attachment_id,
        update=update,
        removed_at__isnull=True,
    )


@login_required
def attachment_download_view(request, project_id: int, statusupdate_id: int, updateattachment_id: int):
    """The file, only to people who see the update: always a download, never rendered by the browser."""
    _, access = get_project_for_user(user=request.user, project_id=project_id)
    update = get_update(access=access, update_id=statusupdate_id)
    attachment = _attachment(update, updateattachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(attachment.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_remove_view(request, project_id: int, statusupdate_id: int, updateattachment_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    attachment = _attachment(update, updateattachment_id)
    try:
        services.attachment_remove(access=context["access"], attachment=attachment)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(update)
    messages.success(request, f"{attachment.original_name} removed from the draft.")
    edit_url = reverse(
        "projects:update_edit", kwargs={"project_id": project_id, "statusupdate_id": update.pk}
    )
    return redirect(edit_url + "#attachments")


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


@login_required
@require_POST
def comment_post_view(request, project_id: int, statusupdate_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    access = context["access"]
    form = _comment_form(access, request.POST)
    comment = None
    if form.is_valid():
        try:
            comment = services.comment_post(
                access=access,
                update=update,
                body=form.cleaned_data["body"],
                kind=form.cleaned_data.get("kind") or CommentKind.COMMENT,
                is_internal=form.cleaned_data.get("is_internal", False),
            )
        except ServiceError as error:
            add_service_error(form, error)
    if comment is not None:
        form = None  # a fresh, empty form under the new comment
        if not request.htmx:
            return redirect(f"{update.get_absolute_url()}#comment-{comment.pk}")
    full = _detail_context(request, context, update, comment_form=form)
    if request.htmx:
        full["posted"] = comment
        return render(request, "projects/update_detail.html#discussion", full)
    return render(request, "projects/update_detail.html", full)


@login_required
@require_POST
def question_answer_view(request, project_id: int, statusupdate_id: int, updatecomment_id: int):
    context, update = _update_page(request, project_id, statusupdate_id)
    access = context["access"]
    # The thread spans every revision of the update, so the question may sit on an earlier one.
    question = get_object_or_404(
        UpdateComment, pk=updatecomment_id, update__project=context["project"], kind=CommentKind.QUESTION
    )
    if not rules.can_answer(access):
        raise PermissionDenied("The CDMO team answers questions.")
    form = AnswerForm(request.POST)
    answered = False
    if form.is_valid():
        try:
            services.question_answer(access=access, question=question, body=form.cleaned_data["body"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            answered = True
    if answered and not request.htmx:
        return redirect(f"{update.get_absolute_url()}#comment-{question.pk}")
    full = _detail_context(request, context, update, answer_forms={} if answered else {question.pk: form})
    template = "projects/update_detail.html#discussion" if request.htmx else "projects/update_detail.html"
    return render(request, template, full)


@login_required
def decision_view(request, project_id: int, decisionrequest_id: int):
    """A decision the CDMO needs: what, by when, raised by which update; the sponsor records the decision."""
    context = project_page(request, project_id, "overview")
    access = context["access"]
    decision = get_decision(project=context["project"], decision_id=decisionrequest_id)
    can_resolve = rules.can_resolve_decision(access) and decision.is_open
    form = DecisionResolveForm(request.POST or None) if can_resolve else None
    if request.method == "POST":
        if form is None:
            if not rules.can_resolve_decision(access):
                raise PermissionDenied(
                    "Only the sponsor's project lead or decision-maker records a decision."
                )
            messages.error(request, "This decision is no longer open.")
            return redirect(decision)
        if form.is_valid():
            try:
                services.decision_resolve(
                    access=access, decision=decision, note=form.cleaned_data["decision_note"]
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Decision recorded. The CDMO project manager will be told.")
                return redirect(decision)
    context.update(decision=decision, form=form, today=timezone.localdate())
    return render(request, "projects/decision.html", context)


@organization_member_required
def decisions_view(request):
    """Decisions waiting on the sponsor across every project I can see, soonest needed first."""
    show = request.GET.get("show", "open")
    if show not in ("open", "all"):
        show = "open"
    decisions = decisions_for_user(user=request.user, include_decided=show == "all")
    context = {
        "page": paginate(request, decisions),
        "querystring": querystring_without_page(request),
        "show": show,
        "today": timezone.localdate(),
    }
    return render(request, "projects/decisions.html", context)
