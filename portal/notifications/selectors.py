"""Reads: the bell, the list, and what the delivery machinery needs to find."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal.accounts.models import User

from .models import DIGEST_KIND, EmailMode, Notification, NotificationPreference


def unread_count(*, user: User) -> int:
    """Unread in-app notifications of `user`: one COUNT over a partial index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's own notifications, newest first, with what they are about (no N+1)."""
    qs = (
        Notification.objects.filter(recipient=user)
        .exclude(kind=DIGEST_KIND)
        .only(
            "id",
            "recipient_id",
            "kind",
            "title",
            "body",
            "url",
            "created_at",
            "read_at",
            "subject_type",
            "subject_id",
            "subject_code",
            "subject_name",
        )
        .order_by("-created_at", "-pk")
    )
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def get_notification_for_recipient(*, user: User, notification_id: int) -> Notification:
    """The notification if `user` is its recipient; 404 for everyone else (never 403)."""
    notification = (
        Notification.objects.filter(pk=notification_id, recipient=user).exclude(kind=DIGEST_KIND).first()
    )
    if notification is None:
        raise Http404("No such notification.")
    return notification


def preference_for(*, user: User) -> NotificationPreference:
    """The person's stored preference, or an unsaved one holding the defaults."""
    try:
        return NotificationPreference.objects.get(user=user)
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def preferences_by_user(*, user_ids: list[int]) -> dict[int, NotificationPreference]:
    """Stored preferences for these people, one query; people missing from it use the defaults."""
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}


def email_mode_of(preference: NotificationPreference | None) -> str:
    return preference.email_mode if preference is not None else EmailMode.IMMEDIATE
