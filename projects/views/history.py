"""The project's history tab: the audit trail in plain language, with filters."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.core.history import project_history_page
from portal.core.views_helpers import querystring_without_page

from ..page import project_page


@login_required
def project_history_view(request, project_id: int):
    context = project_page(request, project_id, "history")
    context["page"], context["form"] = project_history_page(
        request=request, project=context["project"], access=context["access"]
    )
    context["querystring"] = querystring_without_page(request)
    return render(request, "projects/history.html", context)
