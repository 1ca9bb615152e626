"""The milestone timeline's zoom (?zoom=3m|6m|1y|all&w=<box width>): drawn at its natural size."""

import datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from projects.models import Milestone, MilestoneStatus
from projects.svg import milestone_timeline_svg, zoomed_chart_px
from tests.factories.projects import MilestoneFactory

TODAY = datetime.date(2026, 6, 15)
SVG = "{http://www.w3.org/2000/svg}"


def _two_years():
    return [
        Milestone(
            title=f"Batch {n}",
            kind="other",
            baseline_date=TODAY + datetime.timedelta(days=60 * n),
            forecast_date=TODAY + datetime.timedelta(days=60 * n),
            status=MilestoneStatus.PLANNED,
        )
        for n in range(-3, 10)
    ]


def _root(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def test_a_zoomed_timeline_is_drawn_in_pixels_with_the_range_filling_the_box():
    milestones = _two_years()
    whole = _root(milestone_timeline_svg(milestones, today=TODAY))
    days = (
        datetime.date.fromisoformat(whole.get("data-end"))
        - datetime.date.fromisoformat(whole.get("data-start"))
    ).days
    assert whole.get("width") == "100%" and whole.get("data-zoomed") is None  # the default is unchanged

    chart = zoomed_chart_px(milestones, today=TODAY, span_days=91, box_px=330, label_px=130)
    assert chart == round(330 * days / 91)
    zoomed = _root(milestone_timeline_svg(milestones, today=TODAY, chart_px=chart, label_px=130))
    assert zoomed.get("data-zoomed") == "true"
    assert int(zoomed.get("width")) == 130 + chart + 24
    assert zoomed.get("viewBox") == f"0 0 {zoomed.get('width')} {zoomed.get('height')}"
    assert zoomed.get("height") == whole.get("viewBox").split()[3]  # the rows keep their height
    # A tick every month when there is room for it.
    ticks = [t.text for t in zoomed.iter(f"{SVG}text") if t.get("font-size") == "11" and t.text[:3].isalpha()]
    assert {"Jul", "Aug", "Sep"} <= set(ticks)

    # "All" fits the box beside the names; a short project never stretches past the box.
    assert (
        zoomed_chart_px(milestones, today=TODAY, span_days=None, box_px=330, label_px=130) == 330 - 130 - 24
    )
    short = milestones[3:5]
    assert zoomed_chart_px(short, today=TODAY, span_days=365, box_px=330, label_px=130) == 330 - 130 - 24


@pytest.mark.django_db
def test_the_milestones_tab_draws_the_zoom_it_is_asked_for(client, project, sponsor_lead, cdmo_pm):
    for n in range(-3, 10):
        MilestoneFactory(
            project=project,
            owner=cdmo_pm,
            baseline_date=datetime.date.today() + datetime.timedelta(days=60 * n),
        )
    client.force_login(sponsor_lead)
    url = reverse("projects:milestones", kwargs={"project_id": project.pk})

    page = client.get(url + "?zoom=6m&w=330").content.decode()
    assert 'data-zoomed="true"' in page and 'aria-current="true">6 months</a>' in page
    # Nonsense is the default drawing, never an error.
    for query in ("?zoom=10y&w=330", "?zoom=3m&w=wide", "?zoom=3m&w=-5", "?zoom=3m&w=99999999"):
        response = client.get(url + query)
        assert response.status_code == 200, query
    assert 'data-zoomed="true"' not in client.get(url + "?zoom=10y").content.decode()
    huge = client.get(url + "?zoom=3m&w=99999999").content.decode()
    assert 'data-zoomed="true"' in huge  # the box width is clamped, the drawing bounded
