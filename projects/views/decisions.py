"""Decision requests: one decision's page, and everything waiting on the user's decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from portal.accounts.decorators import organization_member_required
from portal.core.views_helpers import paginate, querystring_without_page
from portal.signatures.forms import SigningForm
from portal.signatures.models import Meaning
from portal.signatures.services import signatures_of

from .. import permissions, services
from ..forms import (
    DecisionResolveForm,
)
from ..models import DecisionOutcome
from ..page import project_page
from ..selectors import (
    decisions_for_user,
    get_decision,
)
from ._dialogs import option_dialogs


@login_required
def decision_view(request, project_id: int, decisionrequest_id: int):
    """A decision the CDMO needs: what, by when, raised by which update, its options and the
    recommendation; the sponsor approves an option or rejects, signing either way. A request without
    options is decided in free text, the signature meaning approved or rejected."""
    context = project_page(request, project_id, "overview")
    access = context["access"]
    decision = get_decision(project=context["project"], decision_id=decisionrequest_id)
    options = list(decision.options.all())
    can_resolve = permissions.can_resolve_decision(access) and decision.is_open
    data = request.POST if request.method == "POST" else None
    form = signing = None
    dialogs = {}
    if can_resolve and options:
        dialogs = option_dialogs(
            request,
            decision,
            actions={
                "approve": ("projects.decision_resolve", Meaning.APPROVED),
                "reject": ("projects.decision_resolve", Meaning.REJECTED),
            },
        )
    elif can_resolve:
        form = DecisionResolveForm(data)
        signing = SigningForm(
            data, action="projects.decision_resolve", record=decision, request=request, prefix="sign"
        )
    if request.method == "POST":
        if not can_resolve:
            if not permissions.can_resolve_decision(access):
                raise PermissionDenied(
                    "Only the sponsor's project lead or decision-maker records a decision."
                )
            messages.error(request, "This decision is no longer open.")
            return redirect(decision)
        step = request.POST.get("step")
        if dialogs and step in dialogs:
            form_, signing_ = dialogs[step]
            if form_.is_valid() & signing_.is_valid():
                perform = lambda: services.decision_resolve(  # noqa: E731
                    access=access,
                    decision=decision,
                    outcome=DecisionOutcome.APPROVED if step == "approve" else DecisionOutcome.REJECTED,
                    option=form_.chosen() if step == "approve" else None,
                    note=form_.cleaned_data["reason"],
                )
                if signing_.sign(perform=perform, errors_on=form_) is not None:
                    messages.success(
                        request, "Decision recorded and signed. The CDMO project manager will be told."
                    )
                    return redirect(decision)
        elif form is not None and form.is_valid() & signing.is_valid():
            signature = signing.sign(
                perform=lambda: services.decision_resolve(
                    access=access,
                    decision=decision,
                    outcome=signing.cleaned_data["meaning"],
                    note=form.cleaned_data["decision_note"],
                ),
                errors_on=form,
            )
            if signature is not None:
                messages.success(
                    request, "Decision recorded and signed. The CDMO project manager will be told."
                )
                return redirect(decision)
    context.update(
        decision=decision,
        options=options,
        form=form,
        signing=signing,
        dialogs=dialogs,
        signed=signatures_of(decision),
        today=timezone.localdate(),
    )
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
