"""The comparisons judge each figure against the targets that apply to its column, and a CDMO's
executive opens a project manager's column onto the programs behind it (internal to the CDMO)."""

import re

import pytest
from django.urls import reverse

from oversight.scorecards.targets import Targets, save_organization_targets
from projects.models import TeamRole

from .compare_world import COMPARE, MANAGERS, on_time_row, page, words, world_fixture  # noqa: F401
from .helpers import NOW, member

pytestmark = pytest.mark.usefixtures("frozen_now")


def bands(row: str) -> list[str]:
    """Each cell's band in words ("" for a cell with none), in column order."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [(re.findall(r'<span class="band band-\w+">([^<]*)</span>', cell) or [""])[0] for cell in cells]


def test_a_relationships_column_is_judged_by_the_targets_that_apply_to_it(client, world):
    # Defaults (on-time: target 90, amber 80, red 65): Xeno 60 % is well below, Yarrow 100 % on it.
    _, html = page(client, world["acme_exec"], COMPARE)
    row = on_time_row(html)
    assert bands(row) == ["well below target", "on target"]
    assert "band-cell-red" in row and "band-cell-green" in row
    # Acme expects less of its CDMOs' delivery: 60 % is now on its target, for both sides.
    save_organization_targets(
        actor=world["acme_exec"],
        organization=world["acme"],
        values={"on_time": Targets(target=60, amber=50, red=40, weight=3)},
        now=NOW,
    )
    _, html = page(client, world["acme_exec"], COMPARE)
    assert bands(on_time_row(html)) == ["on target", "on target"]
    # Xeno's sponsors: Acme's column by Acme's targets, Borealis's (0 %) by the defaults.
    _, html = page(client, world["xeno_exec"], COMPARE)
    assert bands(on_time_row(html)) == ["on target", "well below target"]
    assert "targets that apply to that relationship" in html
    # The drill-down colours the relationship's programs the same way; too few has no band.
    _, html = page(client, world["acme_exec"], reverse("scorecards:relationship", args=[world["xeno"].pk]))
    together, a1, a2 = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", html, re.S)[:3]
    assert bands(together)[0] == "on target" and bands(a1)[0] == "on target" and bands(a2)[0] == ""


def test_project_managers_are_judged_against_the_defaults(client, world):
    save_organization_targets(  # a sponsor's targets do not colour the CDMO's managers
        actor=world["acme_exec"],
        organization=world["acme"],
        values={"on_time": Targets(target=20, amber=10, red=5, weight=3)},
        now=NOW,
    )
    _, html = page(client, world["xeno_exec"], MANAGERS)
    # Alma 29 %, Bo too few, Cy 0 %: against the default 90/80/65.
    assert bands(on_time_row(html)) == ["well below target", "", "well below target"]
    assert "default targets" in html


def manager_page(client, viewer, manager, **params):
    return page(client, viewer, reverse("scorecards:manager", args=[manager.pk]), **params)


def test_a_project_managers_column_opens_onto_the_programs_they_manage(client, world):
    a1, a2, _a3, b1 = world["projects"]
    alma = member(a1, TeamRole.PROJECT_MANAGER)
    _, html = page(client, world["xeno_exec"], MANAGERS)
    assert f'href="{reverse("scorecards:manager", args=[alma.pk])}?quarter=2026-Q4"' in html
    status, html = manager_page(client, world["xeno_exec"], alma)
    assert status == 200 and "Programs Alma Ames manages" in html
    # A1 (Acme's) and B1 (Borealis's): both Xeno's programs; together 2 of 7 = 29 %.
    assert re.findall(r'<a class="scorecard-measure" href="([^"]+)">', html) == [
        reverse("scorecards:project_health", args=[a1.pk]),
        reverse("scorecards:project_health", args=[b1.pk]),
    ]
    assert "All 2 programs together" in html and "n = 7 milestones" in words(html)
    assert "Acme two" not in html and "internal to Xeno Labs" in html
    status, html = manager_page(client, world["xeno_exec"], member(a2, TeamRole.PROJECT_MANAGER))
    assert status == 200 and "Acme two" in html and "Acme one" not in html
    # The quarter chooser and paging junk keep the page.
    status, html = manager_page(client, world["xeno_exec"], alma, quarter="2026-Q3", page="x")
    assert status == 200 and "over Q3 2026" in html


def test_a_project_managers_page_is_404_to_everyone_but_their_cdmos_executives(client, world):
    a1, _a2, a3, _b1 = world["projects"]
    alma, dee = member(a1, TeamRole.PROJECT_MANAGER), member(a3, TeamRole.PROJECT_MANAGER)
    assert manager_page(client, world["acme_exec"], alma)[0] == 404  # a sponsor it works with
    assert manager_page(client, world["yarrow_admin"], alma)[0] == 404  # another CDMO
    assert manager_page(client, world["xeno_exec"], dee)[0] == 404  # another CDMO's manager
    assert manager_page(client, world["xeno_exec"], world["xeno_exec"])[0] == 404  # manages nothing
    assert manager_page(client, world["xeno_exec"], member(a1, TeamRole.SPONSOR_LEAD))[0] == 404
    assert manager_page(client, alma, alma)[0] == 404  # a manager is no executive
    assert page(client, world["xeno_exec"], reverse("scorecards:manager", args=[999999]))[0] == 404
    assert manager_page(client, world["yarrow_admin"], dee)[0] == 200
