"""The history tab: plain-language entries, no bookkeeping-only rows, filters that page."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.services import sweep
from projects.models import Milestone, MilestoneKind, Project

pytestmark = pytest.mark.django_db


def _url(project, **params):
    return reverse("projects:history", args=[project.pk]) + ("?" + urlencode(params) if params else "")


def _milestone(project, title="GMP batch 1"):
    return Milestone.objects.create(
        project=project,
        kind=MilestoneKind.choices[0][0],
        title=title,
        baseline_date=dt.date(2027, 1, 1),
        forecast_date=dt.date(2027, 2, 15),
    )


def test_entries_read_as_sentences_with_the_owning_apps_labels(login, project, cdmo_pm):
    milestone = _milestone(project)
    sweep(notify=False)
    milestone.title = "GMP batch one"
    milestone.save()
    body = login(cdmo_pm).get(_url(project)).content.decode()
    assert "Flag raised: Milestone slipping" in body
    assert "Milestone changed: title" in body
    assert "milestone_slip" not in body and "Monitoring rule:" not in body


def test_an_edit_that_changed_only_bookkeeping_is_not_shown(login, project, cdmo_pm):
    milestone = _milestone(project)
    client = login(cdmo_pm)
    before = client.get(_url(project)).context["page"].paginator.count
    Milestone.objects.filter(pk=milestone.pk).update(version=milestone.version + 1)
    assert client.get(_url(project)).context["page"].paginator.count == before


def test_filters_narrow_keep_their_values_and_page(login, project, cdmo_pm):
    for n in range(35):
        _milestone(project, title=f"Batch {n}")
    sweep(notify=False)
    client = login(cdmo_pm)
    response = client.get(_url(project, kind="projects.Milestone"))
    page = response.context["page"]
    assert page.paginator.count == 35
    assert all(entry.headline == "Milestone created" for entry in page.object_list)
    assert 'value="projects.Milestone" selected' in response.content.decode()
    assert "kind=projects.Milestone&amp;page=2" in response.content.decode()
    flags = client.get(_url(project, kind="monitoring.Flag")).context["page"]
    assert flags.paginator.count == Flag.objects.filter(project=project).count() > 0


def test_nothing_matching_shows_a_way_back(login, project, cdmo_pm):
    body = login(cdmo_pm).get(_url(project, date_from="2001-01-01", date_to="2001-01-02")).content.decode()
    assert "No changes match these filters" in body and "clear filters" in body


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nope.Nothing"},
        {"person": "999999"},
        {"person": "abc"},
        {"date_from": "2026-02-31"},
        {"date_from": "2001-01-02", "date_to": "2001-01-01"},
        {"page": "x", "date_to": "tomorrow"},
    ],
)
def test_bad_filter_values_are_explained_and_ignored(login, project, cdmo_pm, params):
    client = login(cdmo_pm)
    everything = client.get(_url(project)).context["page"].paginator.count
    response = client.get(_url(project, **params))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["page"].paginator.count == everything


def test_someone_elses_person_id_is_not_on_offer(login, project, cdmo_pm, outsider):
    response = login(cdmo_pm).get(_url(project, person=outsider.pk))
    assert "person" in response.context["form"].errors


def test_query_count_does_not_grow_with_entries(login, project, cdmo_pm):
    client = login(cdmo_pm)
    _milestone(project)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(project))
    for n in range(20):
        _milestone(project, title=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(_url(project))
    assert len(many) == len(one)


def test_kind_labels_come_from_the_apps(login, project, cdmo_pm):
    body = login(cdmo_pm).get(_url(project)).content.decode()
    assert "Red flags" in body and "Meetings and minutes" in body
    assert FlagKind.ACTION_ITEM_OVERDUE.label  # the registry knows the words
    assert Project.objects.filter(pk=project.pk).exists()
