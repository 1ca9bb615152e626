"""Request middleware of the foundation."""

from __future__ import annotations

from django.http import Http404, HttpResponseNotAllowed, QueryDict

from .queue import triggered_by


class RefuseNulBytesMiddleware:
    """NUL bytes never reach a view: PostgreSQL cannot store or compare them in text.

    A NUL byte in the path is a 404 (no route of ours has one). Query-string parameters holding
    one are dropped, as junk filters nothing elsewhere; form values are the forms' business
    (portal.core.forms refuses them with a message)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or "\x00" in request.path:
            raise Http404("No such page.")
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            clean = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                if "\x00" in key:
                    continue
                kept = [v for v in values if "\x00" not in v]
                if kept:
                    clean.setlist(key, kept)
            clean._mutable = False
            request.GET = clean
        return self.get_response(request)


class AllowedMethodsMiddleware:
    """Every page of the portal (ours, allauth's, the admin's) is read with GET/HEAD and changed
    with a form POST; htmx here uses the same two. Any other method (PUT, DELETE, PATCH, …) is a
    405 naming the allowed ones, instead of a view answering it as if it were a GET or a POST.

    Runs as a view hook (so an unknown path is still a 404) and before the CSRF check (so the
    answer is 405, not a misleading 403)."""

    ALLOWED = ("GET", "HEAD", "POST", "OPTIONS")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return None


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
