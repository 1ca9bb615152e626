"""The working agreement: the version in force with its signatures, the draft awaiting the leads'
signatures, earlier versions; drafting it, signing it, proposing a change (docs/working-agreement.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error
from portal.signatures.forms import SigningForm
from portal.signatures.services import attach_signatures

from .. import permissions, services
from ..forms import AgreementChangeForm, AgreementForm, AgreementProposalEditForm
from ..models import AgreementStatus, Side
from ..page import project_page
from ..selectors import SIGNING_ROLES, agreements_for_project


def _leads(members) -> dict[str, list]:
    """{side: the people who sign for it}, from the team the page already read."""
    return {
        side: [m.user for m in members if m.side == side and m.role == role and m.user.is_active]
        for side, role in SIGNING_ROLES.items()
    }


@login_required
def agreement_view(request, project_id: int):
    """The agreement page; the sponsor lead and the CDMO project manager sign the draft here."""
    context = project_page(request, project_id, "agreement")
    access = context["access"]
    versions = list(agreements_for_project(project=context["project"]))
    attach_signatures(versions)
    in_force = next((v for v in versions if v.status == AgreementStatus.IN_FORCE), None)
    pending = next((v for v in versions if v.is_pending), None)
    side = "sponsor" if access.is_sponsor else "cdmo"
    signing = None
    if (
        pending is not None
        and pending.status == AgreementStatus.DRAFT
        and permissions.can_sign_agreement(access)
        and not getattr(pending, f"{side}_signed_by_id")
    ):
        signing = SigningForm(
            request.POST if request.method == "POST" else None,
            action="projects.agreement_sign",
            record=pending,
            request=request,
            prefix="sign",
        )
    if request.method == "POST":
        if signing is None and not permissions.can_sign_agreement(access):
            raise PermissionDenied("Only the sponsor's project lead and the CDMO's project manager sign it.")
        if signing is None:  # a second click, or the other lead put it in force meanwhile
            messages.info(request, "There is nothing left for your side to sign.")
            return redirect("projects:agreement", project_id=project_id)
        if signing.is_valid():
            perform = lambda: services.agreement_sign(access=access, agreement=pending)  # noqa: E731
            if signing.sign(perform=perform, errors_on=signing) is not None:
                pending.refresh_from_db(fields=["status"])
                if pending.status == AgreementStatus.IN_FORCE:
                    messages.success(request, "Signed by both sides' leads: the agreement is in force.")
                else:
                    messages.success(request, "Signed. The other side's lead is told.")
                return redirect("projects:agreement", project_id=project_id)
    leads = _leads(context["team"])
    waiting = []
    if pending is not None and pending.status == AgreementStatus.DRAFT:
        if not pending.sponsor_signed_by_id:
            waiting.append(("Sponsor project lead", leads[Side.SPONSOR]))
        if not pending.cdmo_signed_by_id:
            waiting.append(("CDMO project manager", leads[Side.CDMO]))
    context.update(
        in_force=in_force,
        pending=pending,
        earlier=[v for v in versions if v.status == AgreementStatus.SUPERSEDED],
        replaced=[v for v in versions if v.status == AgreementStatus.REPLACED],
        signing=signing,
        waiting=waiting,
        can_draft=permissions.can_draft_agreement(access) and in_force is None,
        can_propose=permissions.can_raise_change(access) and in_force is not None and pending is None,
        can_edit_proposal=(
            pending is not None
            and pending.status == AgreementStatus.PROPOSED
            and permissions.can_withdraw_change(access, pending.change_request)
        ),
    )
    return render(request, "projects/agreement.html", context)


def _active_members(context) -> list:
    return [m for m in context["team"] if m.removed_at is None and m.user.is_active]


@login_required
def agreement_draft_view(request, project_id: int):
    """Draft the kickoff agreement (or replace a draft nobody has put in force yet)."""
    context = project_page(request, project_id, "agreement")
    access = context["access"]
    if not permissions.can_draft_agreement(access):
        raise PermissionDenied("Only the sponsor's project lead or the CDMO's project manager drafts it.")
    versions = list(agreements_for_project(project=context["project"]))
    if any(v.status == AgreementStatus.IN_FORCE for v in versions):
        messages.info(request, "An agreement is in force; its terms change through a change request.")
        return redirect("projects:agreement_propose", project_id=project_id)
    pending = next((v for v in versions if v.status == AgreementStatus.DRAFT), None)
    form = AgreementForm(
        request.POST or None, members=_active_members(context), start=pending, project=context["project"]
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_draft(access=access, terms=form.terms())
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Draft saved. Both sides' leads sign it to put it in force.")
            return redirect("projects:agreement", project_id=project_id)
    context.update(form=form, pending=pending, proposing=False)
    return render(request, "projects/agreement_form.html", context)


@login_required
def agreement_propose_view(request, project_id: int):
    """Propose new terms: a change request carrying the proposed version."""
    context = project_page(request, project_id, "agreement")
    access = context["access"]
    if not permissions.can_raise_change(access):
        raise PermissionDenied("Only the project managers and leads of either side raise change requests.")
    versions = list(agreements_for_project(project=context["project"]))
    in_force = next((v for v in versions if v.status == AgreementStatus.IN_FORCE), None)
    if in_force is None:
        messages.info(request, "No agreement is in force yet; draft and sign one.")
        return redirect("projects:agreement", project_id=project_id)
    proposed = next((v for v in versions if v.status == AgreementStatus.PROPOSED), None)
    if proposed is not None and permissions.can_withdraw_change(access, proposed.change_request):
        return redirect("projects:agreement_proposal_edit", project_id=project_id)
    form = AgreementChangeForm(request.POST or None, members=_active_members(context), start=in_force)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.agreement_propose_change(
                access=access,
                terms=form.terms(),
                why=form.cleaned_data["why"],
                needed_by=form.cleaned_data["needed_by"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Change request raised. Approving it puts the new terms in force.")
            return redirect(change)
    context.update(form=form, in_force=in_force, proposing=True)
    return render(request, "projects/agreement_form.html", context)


@login_required
def agreement_proposal_edit_view(request, project_id: int):
    """Edit the terms a proposed change carries, while it is proposed, as whoever may edit the
    change: a new proposed version replaces the one before and the change's version is raised,
    so a decision dialog opened on the old terms is refused. Two edits at once: the second gets
    its form back, everything typed kept."""
    context = project_page(request, project_id, "agreement")
    access = context["access"]
    versions = list(agreements_for_project(project=context["project"]))
    proposed = next((v for v in versions if v.status == AgreementStatus.PROPOSED), None)
    if proposed is None:
        messages.info(request, "No change request proposes new terms now.")
        return redirect("projects:agreement", project_id=project_id)
    change = proposed.change_request
    if not permissions.can_withdraw_change(access, change):
        raise PermissionDenied(
            "Only whoever raised the change, or their side's managers, edit its terms while it is proposed."
        )
    form = AgreementProposalEditForm(
        request.POST or None, members=_active_members(context), start=proposed, change=change
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_proposal_edit(
                access=access,
                change=change,
                version=form.cleaned_data["version"],
                terms=form.terms(),
                why=form.cleaned_data["why"],
                needed_by=form.cleaned_data["needed_by"],
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Proposed terms saved. The other side is told what changed.")
            return redirect(change)
    context.update(
        form=form,
        in_force=next((v for v in versions if v.status == AgreementStatus.IN_FORCE), None),
        proposed=proposed,
        change=change,
        proposing=True,
    )
    return render(request, "projects/agreement_form.html", context)
