"""NUL bytes never reach a view: PostgreSQL cannot store or compare them in text."""

from __future__ import annotations

from django.http import Http404, QueryDict


class RefuseNulBytesMiddleware:
    """A NUL byte in the path is a 404 (no route of ours has one). Query-string
    parameters holding one are dropped, as junk filters nothing elsewhere; form
    values are the forms' business (portal.core.forms refuses them with a message)."""

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
