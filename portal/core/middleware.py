"""Request middleware of the foundation."""

from .queue import triggered_by


class TriggeredByMiddleware:
    """Remembers who is signed in while a request runs, so background work it queues names them
    (portal.core.queue): if that work fails, they are the one told."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = triggered_by.set(user.pk if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            triggered_by.reset(token)
