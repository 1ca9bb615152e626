"""Earlier revisions of an edited change request: the change page lists each earlier revision's
options (collapsed in a <details>), with what was recommended then, read in a constant number of
queries; the project's history lists the options of every revision too."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.audit_export.collect import collect
from projects.selectors.changes import earlier_revisions, get_change
from tests.factories.projects import MilestoneFactory, change_with_options

from .test_change_edit import NOW, TODAY, _edit_data, _edit_url


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def milestones(project):
    return [
        MilestoneFactory(
            project=project, title="GMP batch GMP-01", baseline_date=TODAY + datetime.timedelta(30)
        ),
        MilestoneFactory(
            project=project, title="Release of GMP-01", baseline_date=TODAY + datetime.timedelta(60)
        ),
    ]


def _edit(client, change, milestones, **overrides):
    change.refresh_from_db()
    response = client.post(_edit_url(change), _edit_data(change, milestones, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_change_page_shows_earlier_revisions_with_what_was_recommended(
    client, project, cdmo_pm, decision_maker, milestones
):
    change = change_with_options(project, impacts=[(milestones[0], 21)])
    client.force_login(cdmo_pm)
    # Revision 2: costed again, and the second option recommended instead.
    _edit(
        client,
        change,
        milestones,
        recommended="2",
        recommendation="Waiting is cheaper than a transfer.",
        **{"option-0-cost_impact": "€55k"},
    )
    # Revision 3: the first option renamed, the first recommended again.
    _edit(
        client,
        change,
        milestones,
        recommendation="Suite C is free after all.",
        **{
            "option-0-label": "Suite C",
            "option-0-cost_impact": "€30k",
            f"option-0-days_{milestones[0].pk}": "7",
        },
    )
    revisions = earlier_revisions(change=get_change(project=project, change_id=change.pk))
    assert [r.number for r in revisions] == [2, 1]
    assert [[o.label for o in r.options] for r in revisions] == [
        ["Suite B", "Wait for suite A"],
        ["Suite B", "Wait for suite A"],
    ]
    assert revisions[0].recommended_option_id == revisions[0].options[1].pk
    assert revisions[0].recommendation == "Waiting is cheaper than a transfer."
    assert revisions[1].recommended_option_id == revisions[1].options[0].pk

    client.force_login(decision_maker)
    page = client.get(change.get_absolute_url()).content.decode()
    current, earlier = page.split('id="earlier-revisions-title"')
    earlier = earlier.split("</section>")[0]
    assert "Suite C" in current and "€30k" in current and "€55k" not in current
    assert earlier.count("<details") == 2
    second, first = _text(earlier).split("Revision 1:")
    assert "Revision 2: 2 options, “Wait for suite A” recommended" in second
    assert "€55k" in second and "+21 days" in second and "Waiting is cheaper than a transfer." in second
    assert "“Suite B” recommended" in first and "€40k" in first and "+21 days" in first
    assert "Comparability protocol needed." in first and "None: same site." in first
    assert "Suite C" not in earlier


def test_an_unedited_change_shows_no_earlier_revisions(client, project, decision_maker):
    change = change_with_options(project)
    client.force_login(decision_maker)
    page = client.get(change.get_absolute_url()).content.decode()
    assert "Earlier revisions" not in page and "Suite B" in page


def test_earlier_revisions_are_read_in_a_constant_number_of_queries(
    client, project, cdmo_pm, decision_maker, milestones
):
    once = change_with_options(project, impacts=[(milestones[0], 21)])
    thrice = change_with_options(project, impacts=[(milestones[0], 21), (milestones[1], 5)])
    client.force_login(cdmo_pm)
    _edit(client, once, milestones, what="Edited once.")
    for n in range(3):
        _edit(
            client, thrice, milestones, what=f"Edit {n}", **{f"option-1-days_{milestones[1].pk}": str(n + 2)}
        )
    client.force_login(decision_maker)
    client.get(once.get_absolute_url())  # warm the session and caches
    counts = {}
    for name, change in (("once", once), ("thrice", thrice)):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(change.get_absolute_url()).content.decode()
        counts[name] = len(queries.captured_queries)
        counts[f"{name} revisions"] = page.count('<details class="earlier-revision">')
    assert counts == {
        "once": counts["once"],
        "once revisions": 1,
        "thrice": counts["once"],
        "thrice revisions": 3,
    }


def test_the_history_tab_lists_the_options_of_every_revision(client, project, cdmo_pm, milestones):
    change = change_with_options(project, impacts=[(milestones[0], 21)])
    client.force_login(cdmo_pm)
    _edit(client, change, milestones, **{"option-0-label": "Suite C"})
    history = _text(client.get(reverse("projects:history", args=[project.pk])).content.decode())
    assert history.count("Option added to a change request") == 4
    assert "Suite B" in history and "Suite C" in history


def test_the_audit_export_lists_the_options_of_every_revision(client, project, cdmo_pm, milestones):
    change = change_with_options(project, impacts=[(milestones[0], 21)])
    client.force_login(cdmo_pm)
    _edit(client, change, milestones, **{"option-0-label": "Suite C"})
    trail = collect(
        project=project,
        user=cdmo_pm,
        sees_internal=True,
        start=datetime.date(2000, 1, 1),
        end=datetime.date(2099, 12, 31),
        progress=lambda *a, **k: None,
    )
    options = [e for e in trail.events if e["model"] == "projects.ChangeOption"]
    labels = sorted(e["subject"] for e in options)
    assert labels == [
        f"Change option “{label}”" for label in ("Suite B", "Suite C", "Wait for suite A", "Wait for suite A")
    ]
    assert {e["what"] for e in options} == {"Option added to a change request"}
