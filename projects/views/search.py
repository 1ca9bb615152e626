"""The project picker's type-ahead: a fragment of options for the htmx combobox."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.accounts.decorators import organization_member_required

from ..selectors import SEARCH_LIMIT, project_search
from ..selectors.search import TEXT_MAX

FIELD_NAME = re.compile(r"[a-z][a-z_]{0,39}")


def typed_text(request) -> str:
    """`q`, or the picker's own input (`<field>_q`, what htmx sends), printable and bounded."""
    field = request.GET.get("field", "project")
    if not FIELD_NAME.fullmatch(field):
        field = "project"
    text = request.GET.get("q") or request.GET.get(f"{field}_q") or ""
    return "".join(c for c in text if c.isprintable())[:TEXT_MAX].strip()


@organization_member_required
@require_GET
def project_search_view(request):
    """At most SEARCH_LIMIT visible projects whose code or name contains the typed text."""
    text = typed_text(request)
    found = project_search(user=request.user, text=text, limit=SEARCH_LIMIT + 1)
    return render(
        request,
        "projects/_project_options.html",
        {"projects": found[:SEARCH_LIMIT], "text": text, "more": len(found) > SEARCH_LIMIT},
    )
