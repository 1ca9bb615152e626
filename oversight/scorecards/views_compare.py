"""The executives' comparison pages: counterparties side by side, project managers side by side,
and the projects behind one relationship. The reads, and who may make them, are in `compare`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render

from portal.core.views_helpers import paginate

from . import compare, figures
from .measures import BY_KEY


def _quarter(request):
    """The chosen quarter of the window, and the window as the chooser shows it."""
    window = figures.window()
    quarter, understood = compare.chosen_quarter(request.GET.get("quarter"), window)
    return quarter, understood, window


def _query(**params) -> str:
    query = QueryDict(mutable=True)
    query.update({key: value for key, value in params.items() if value})
    return query.urlencode()


def _page(request, comparison: compare.Comparison, window, understood: bool) -> dict:
    quarter_value = compare.quarter_param(comparison.quarter)
    sort_key = comparison.sort.key if comparison.sort else ""
    return {
        "comparison": comparison,
        "quarter_query": _query(quarter=quarter_value),
        "quarters": [
            {
                "quarter": quarter,
                "query": _query(quarter=compare.quarter_param(quarter), sort=sort_key),
                "current": quarter == comparison.quarter,
            }
            for quarter in window
        ],
        "sort_queries": {key: _query(quarter=quarter_value, sort=key) for key in BY_KEY},
        "unsorted_query": _query(quarter=quarter_value),
        "quarter_unknown": not understood,
        "sort_unknown": bool(request.GET.get("sort")) and comparison.sort is None,
        "is_cdmo": comparison.kind != compare.CDMOS,
        "links_columns": comparison.kind != compare.MANAGERS,
    }


@login_required
def compare_view(request):
    compare.require_executive(request.user)
    quarter, understood, window = _quarter(request)
    comparison = compare.counterparties(user=request.user, quarter=quarter, sort=request.GET.get("sort"))
    return render(request, "scorecards/compare.html", _page(request, comparison, window, understood))


@login_required
def compare_managers_view(request):
    compare.require_executive(request.user)
    quarter, understood, window = _quarter(request)
    comparison = compare.managers(user=request.user, quarter=quarter, sort=request.GET.get("sort"))
    return render(request, "scorecards/compare.html", _page(request, comparison, window, understood))


PROJECTS_PER_PAGE = 50


@login_required
def relationship_view(request, organization_id: int):
    compare.require_executive(request.user)
    quarter, understood, window = _quarter(request)
    counterparty, count = compare.counterparty_of(user=request.user, organization_id=organization_id)
    page = paginate(request, range(count), per_page=PROJECTS_PER_PAGE)
    found = compare.relationship(
        user=request.user,
        counterparty=counterparty,
        quarter=quarter,
        start=page.object_list.start,
        stop=page.object_list.stop,
    )
    quarter_value = compare.quarter_param(quarter)
    context = {
        "relationship": found,
        "page": page,
        "querystring": _query(quarter=quarter_value),
        "quarter_query": _query(quarter=quarter_value),
        "quarters": [
            {"quarter": q, "query": _query(quarter=compare.quarter_param(q)), "current": q == quarter}
            for q in window
        ],
        "quarter_unknown": not understood,
    }
    return render(request, "scorecards/relationship.html", context)
