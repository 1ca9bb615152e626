from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.accounts.decorators import organization_member_required
from portal.accounts.models import User
from portal.accounts.two_factor import landing_url
from portal.core.exceptions import ServiceError
from portal.core.views_helpers import add_service_error

from . import services
from .forms import InvitationAcceptForm, InvitationForm, MemberForm, MFARequirementForm
from .models import Invitation


@organization_member_required
def members_view(request):
    organization = request.user.organization
    is_admin = request.user.is_org_admin
    invite_form = InvitationForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("Only admins invite people.")
        if invite_form.is_valid():
            try:
                invitation = services.invitation_create(actor=request.user, **invite_form.cleaned_data)
            except ServiceError as error:
                add_service_error(invite_form, error)
            else:
                messages.success(request, f"Invitation created; it will be emailed to {invitation.email}.")
                return redirect("organizations:members")
    context = {
        "organization": organization,
        "members": organization.users.order_by("-is_active", "full_name"),
        "invitations": organization.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ).select_related("invited_by")
        if is_admin
        else [],
        "invite_form": invite_form,
        "mfa_form": MFARequirementForm(initial={"require_mfa": organization.require_mfa})
        if is_admin
        else None,
        "is_admin": is_admin,
    }
    return render(request, "organizations/members.html", context)


@organization_member_required
def member_edit_view(request, user_id: int):
    organization = request.user.organization
    member = get_object_or_404(User, pk=user_id, organization=organization)
    if not request.user.is_org_admin:
        raise PermissionDenied("Only admins change memberships.")
    form = MemberForm(request.POST or None, instance=User.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{member} saved.")
            return redirect("organizations:members")
    return render(request, "organizations/member_form.html", {"form": form, "member": member})


@organization_member_required
@require_POST
def invitation_revoke_view(request, invitation_id: int):
    organization = request.user.organization
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=organization)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("organizations:members")


@organization_member_required
@require_POST
def mfa_requirement_view(request):
    form = MFARequirementForm(request.POST)
    form.is_valid()
    services.organization_set_mfa_requirement(
        actor=request.user, require=form.cleaned_data.get("require_mfa", False)
    )
    messages.success(request, "Two-factor setting saved.")
    return redirect("organizations:members")


def invitation_accept_view(request, token: str):
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), token=token)
    if request.user.is_authenticated:
        messages.info(request, "You are already signed in.")
        return redirect("home")
    form = InvitationAcceptForm(
        request.POST or None,
        initial={"full_name": invitation.full_name},
        organization_time_zone=invitation.organization.time_zone,
    )
    if request.method == "POST" and invitation.is_pending and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            # allauth's sign-in: it opens the two-factor setup window when the organization
            # requires a second factor, so the password set here is not asked for again.
            get_adapter(request).login(request, user)
            messages.success(request, f"Welcome to {invitation.organization}.")
            return redirect(landing_url(request))
    return render(request, "organizations/invitation_accept.html", {"invitation": invitation, "form": form})
