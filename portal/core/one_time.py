"""A secret shown once after a POST-redirect-GET (a new API token, a webhook's signing secret).

The POST that makes the secret keeps it in the session under its object's id and redirects; the
GET that follows takes it out (`take`) and shows it. A reload of that GET finds nothing and shows
the page without it, and never repeats the POST. Sessions live server-side (the database session
backend): the browser holds only the session id, never the secret, and another person's session
never sees it. A secret that is never collected goes with the session (signing out flushes it).
Between the POST and the GET the secret is in the session table as the session stores it
(signed and encoded, not encrypted): milliseconds when the redirect is followed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

PREFIX = "one-time:"


def _key(kind: str, object_id: int) -> str:
    return f"{PREFIX}{kind}:{int(object_id)}"


def keep(request: HttpRequest, kind: str, object_id: int, value: Any) -> None:
    """Keep `value` (JSON-serialisable) for the next `take` of this kind and id in this session."""
    request.session[_key(kind, object_id)] = value


def take(request: HttpRequest, kind: str, object_id: int) -> Any:
    """The kept value, removed from the session (so shown once), or None."""
    return request.session.pop(_key(kind, object_id), None)
