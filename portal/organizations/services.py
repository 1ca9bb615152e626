"""Writes for organizations, invitations and membership."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit

from . import tasks
from .models import Invitation, Organization


def _require_admin(actor: User, organization: Organization) -> None:
    if not (actor.organization_id == organization.pk and actor.is_org_admin):
        raise NotAllowed("Only an admin of this organization can do that.")


def invitation_create(*, actor: User, email: str, full_name: str, org_role: str) -> Invitation:
    """Invite one address into the actor's organization and email the link."""
    organization = actor.organization
    _require_admin(actor, organization)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(f"{email} already has an account.")
    with transaction.atomic(), audited(f"Invitation sent to {email}"):
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    organization=organization,
                    email=email,
                    full_name=full_name.strip(),
                    org_role=org_role,
                    invited_by=actor,
                )
        except IntegrityError as exc:
            raise ServiceError(f"{email} already has a pending invitation.") from exc
        # In the outbox with the invitation: emailed by a worker, never lost with Redis.
        enqueue_on_commit(tasks.send_invitation, invitation.pk)
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    _require_admin(actor, invitation.organization)
    if invitation.accepted_at:
        raise ServiceError("This invitation was already accepted.")
    if invitation.revoked_at:
        return invitation
    with audited(f"Invitation for {invitation.email} revoked"):
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_accept(*, invitation: Invitation, full_name: str, password: str, time_zone: str) -> User:
    """Create the invited person's account. Their email counts as verified:
    they proved they own it by opening the link we sent there."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise ServiceError(f"This invitation is {invitation.state}. Ask your admin for a new one.")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ServiceError("An account with this email already exists. Sign in instead.")
        candidate = User(email=invitation.email, full_name=full_name)
        validate_password(password, candidate)
        with audited(f"{invitation.email} accepted the invitation"):
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                full_name=full_name.strip(),
                time_zone=time_zone,
                organization=invitation.organization,
                org_role=invitation.org_role,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
    return user


def member_update(*, actor: User, member: User, org_role: str, is_active: bool) -> User:
    """Change a colleague's organization role or deactivate them (never delete)."""
    _require_admin(actor, member.organization)
    if member.pk == actor.pk and (org_role != member.org_role or not is_active):
        raise ServiceError("You cannot change your own role or deactivate yourself; ask another admin.")
    with audited(f"Organization membership of {member} changed"):
        member.org_role = org_role
        member.is_active = is_active
        member.save(update_fields=["org_role", "is_active"])
    return member


def organization_set_mfa_requirement(*, actor: User, require: bool) -> Organization:
    organization = actor.organization
    _require_admin(actor, organization)
    with audited("Two-factor requirement " + ("switched on" if require else "switched off")):
        organization.require_mfa = require
        organization.save(update_fields=["require_mfa"])
    return organization
