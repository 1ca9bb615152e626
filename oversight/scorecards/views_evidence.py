"""The evidence page: from a figure on the Health tab, one click to the records behind it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from projects.page import project_page

from .evidence import evidence_for, quarter_in_window
from .measures import BY_KEY


@login_required
def evidence_view(request, project_id: int, measure: str, quarter: str):
    """One measure's records for one project and quarter, computed now. The project first, so a
    user who may not see it gets 404 whatever measure or quarter they name; then an unknown measure
    or a quarter the Health tab does not show (this quarter and the four before): 404 too."""
    context = project_page(request, project_id, "health")
    chosen, period = BY_KEY.get(measure), quarter_in_window(quarter)
    if chosen is None or period is None:
        raise Http404("No such measure or quarter.")
    context["evidence"] = evidence_for(access=context["access"], measure=chosen, quarter=period)
    return render(request, "scorecards/evidence.html", context)
