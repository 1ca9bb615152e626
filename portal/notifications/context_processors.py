"""The bell's unread count, for every page with the top bar."""

from functools import cache

from .selectors import unread_count


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy and memoized: one COUNT query, and only on pages that actually show the bell.
    return {"unread_notification_count": cache(lambda: unread_count(user=user))}
