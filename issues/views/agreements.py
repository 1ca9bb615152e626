"""The agreed response times of a project."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error
from projects.page import project_page
from projects.selectors import agreement_in_force

from .. import forms, permissions, services
from ..selectors import effective_agreements

# Agreed response times ---------------------------------------------------------------


@login_required
def agreements_view(request, project_id: int):
    context = project_page(request, project_id, "issues")
    project, access = context["project"], context["access"]
    if not permissions.can_edit_agreements(access):
        raise PermissionDenied(
            "Only the CDMO project manager or a CDMO admin can change the agreed response times."
        )
    agreements = effective_agreements(project=project)
    in_force = agreement_in_force(project=project)
    form = forms.AgreementForm(None if in_force else request.POST or None, agreements=agreements)
    if in_force:
        # The terms both leads signed: changed through a change request, not here.
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and in_force:
        messages.error(
            request, "These response times are part of the signed working agreement; propose a change."
        )
    elif request.method == "POST" and form.is_valid():
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
    context.update(form=form, calendar=services.calendar_for(project), in_force=in_force)
    return render(request, "issues/agreements.html", context)
