"""The discussion on an update: posting comments and questions, answering questions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error

from .. import permissions, services
from ..forms import (
    AnswerForm,
)
from ..models import CommentKind, UpdateComment
from .updates import _comment_form, _detail_context, _update_page


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
    if not permissions.can_answer(access):
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
