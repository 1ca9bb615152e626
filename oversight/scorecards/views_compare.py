"""The executives' comparison pages: counterparties side by side, project managers side by side,
and the projects behind one relationship. The reads, and who may make them, are in `compare`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render

from portal.core.views_helpers import paginate

from . import compare, drill, figures
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


def _drill_page(request, count: int, read) -> dict:
    """The context of a drill-down page: one page of `count` projects, read by `read(quarter,
    start, stop)`, with the quarter chooser."""
    quarter, understood, window = _quarter(request)
    page = paginate(request, range(count), per_page=PROJECTS_PER_PAGE)
    quarter_value = compare.quarter_param(quarter)
    return {
        "drill": read(quarter, page.object_list.start, page.object_list.stop),
        "page": page,
        "querystring": _query(quarter=quarter_value),
        "quarter_query": _query(quarter=quarter_value),
        "quarters": [
            {"quarter": q, "query": _query(quarter=compare.quarter_param(q)), "current": q == quarter}
            for q in window
        ],
        "quarter_unknown": not understood,
    }


@login_required
def relationship_view(request, organization_id: int):
    counterparty, count = drill.counterparty_of(user=request.user, organization_id=organization_id)

    def read(quarter, start, stop):
        return drill.relationship(
            user=request.user, counterparty=counterparty, quarter=quarter, start=start, stop=stop
        )

    return render(request, "scorecards/drill.html", _drill_page(request, count, read))


@login_required
def manager_view(request, user_id: int):
    manager, count = drill.manager_of(user=request.user, manager_id=user_id)

    def read(quarter, start, stop):
        return drill.managed(user=request.user, manager=manager, quarter=quarter, start=start, stop=stop)

    context = _drill_page(request, count, read) | {"manager": manager}
    return render(request, "scorecards/drill.html", context)
