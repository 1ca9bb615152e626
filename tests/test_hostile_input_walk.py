"""Walk every route of ours as the people who use its forms, and feed every form junk.

Routes come from the outsider walk's discovery (`our_routes`) and object URLs are filled
the same way, with a project that has one of everything (`populate_everything`). Each
page's `<form>`s are parsed from the HTML and submitted once per junk value per field,
the other fields keeping their rendered values; path kwargs and query parameters of
links get NUL bytes and overlong values. Nothing here lists a form or a route: a new one
is walked automatically.

Promises checked: no 500 anywhere; when a form comes back with errors, each typed value
that was valid text is still in its field.
"""

from __future__ import annotations

import datetime
import time

import pytest
import time_machine
from django import forms as django_forms
from django.urls import reverse

from portal.core.forms import HostileInputMixin
from projects.models import ProjectMember, TeamRole
from tests.factories.projects import ProjectFactory

from .hostile_walk import Walk
from .test_outsider_walk import OUR_MODULES, _kwargs_for, our_routes
from .world import populate_everything

# A Wednesday morning: business-hour clocks and "upcoming" meetings are the same every run.
WALK_INSTANT = datetime.datetime(2026, 3, 11, 10, 30, tzinfo=datetime.UTC)

# People and their world ----------------------------------------------------------------------


@pytest.fixture
def frozen_walk_clock():
    with time_machine.travel(WALK_INSTANT, tick=False):
        yield


@pytest.fixture
def other_tenant(project, outsider):
    """Objects of a tenant the walkers have nothing to do with: their ids are junk too."""
    foreign = ProjectFactory(sponsor=outsider.organization, code="FOR-404", name="Foreign program")
    return (str(outsider.pk), str(foreign.pk))


ROLES = ("cdmo_pm", "sponsor_lead", "cdmo_admin")


def _walker(role: str, project, cdmo_admin):
    """The people who use the forms: the team's CDMO PM and sponsor lead, and a CDMO admin."""
    if role == "cdmo_admin":
        return cdmo_admin
    team_role = TeamRole.PROJECT_MANAGER if role == "cdmo_pm" else TeamRole.SPONSOR_LEAD
    return ProjectMember.objects.filter(project=project, role=team_role).order_by("pk").first().user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_hostile_input_never_breaks_a_page_and_keeps_typed_input(
    client, frozen_walk_clock, project, cdmo_admin, other_tenant, role, capsys
):
    started = time.monotonic()
    populate_everything(project)
    client.force_login(_walker(role, project, cdmo_admin))
    walk = Walk(client=client, foreign_ids=other_tenant)

    pages = []
    for route, kwarg_names in our_routes():
        walk.routes += 1
        kwargs = _kwargs_for(route, kwarg_names, project)
        pages.append(reverse(route, kwargs=kwargs))
        walk.visit(pages[-1])
        if kwarg_names:
            walk.fuzz_path(route, kwarg_names, kwargs)
    walk.phase = "forms"
    for url, form in walk.pending_forms:
        walk.fuzz(url, form)
    walk.phase = "query strings"
    for path, query, name in walk.pending_params:
        walk.fuzz_query(path, query, name)
    # Junk a form accepted is now stored: every page must still render with it.
    walk.phase = "pages again"
    for url in pages:
        walk.send("get", url)

    figures = {
        "routes": walk.routes,
        "forms": walk.forms,
        "fields fuzzed": walk.fields,
        "query parameters": walk.params,
        "requests": walk.requests,
        "error pages checked for typed input": walk.kept_checks,
        "500s and lost input": len(walk.errors),
        "seconds": round(time.monotonic() - started, 1),
        **{f"s in {phase}": round(spent, 1) for phase, spent in walk.seconds.items()},
    }
    with capsys.disabled():
        print(f"\nhostile-input walk as {role}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    assert not walk.errors, "\n".join(walk.errors[:60])
    assert walk.routes > 50


def test_every_form_of_ours_refuses_hostile_input():
    """The walk only reaches forms on pages; this catches a form that skipped the shared door."""
    assert our_routes()  # resolving the URLconf imports every view, and with them every form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {cls for cls in subclasses(django_forms.BaseForm) if cls.__module__.startswith(OUR_MODULES)}
    ours = {cls for cls in ours if cls.__module__ != "portal.core.forms"}
    assert len(ours) > 20
    missing = sorted(f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, HostileInputMixin))
    assert missing == [], "derive these from portal.core.forms.PortalForm / PortalModelForm"
