"""Emails about organization membership."""

from django.urls import reverse

from portal.core.emails import send_templated_email

from .models import Invitation


def send_invitation(invitation: Invitation) -> None:
    send_templated_email(
        "invitation",
        {
            "invitation": invitation,
            "accept_path": reverse("organizations:invitation_accept", args=[invitation.token]),
        },
        to=[invitation.email],
    )
