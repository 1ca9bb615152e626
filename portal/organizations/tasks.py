"""Background work for organizations. Thin: load by id, skip what no longer applies, send."""

from portal.core.tasks import task

from . import emails
from .models import Invitation


@task(name="organizations.send_invitation")
def send_invitation(invitation_id: int) -> None:
    """Email an invitation to join an organization."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is not None:
        emails.send_invitation(invitation)
