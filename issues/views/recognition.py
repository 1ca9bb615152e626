"""Giving recognition and the recognition received across projects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.views_helpers import add_service_error, paginate, querystring_without_page
from projects.models import Side
from projects.page import project_page
from projects.selectors import get_project_for_user, team_users

from .. import forms, permissions, services
from ..recognition import (
    TARGET_TAB,
    TargetNotFound,
    credited_person,
    resolve_target,
    target_ready_for_recognition,
)
from ..selectors import recognitions_received

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
    if not permissions.can_recognize(access):
        raise PermissionDenied("Recognition is given by the sponsor team.")
    context = project_page(request, project_id, TARGET_TAB.get(target.label, "issues"))
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
