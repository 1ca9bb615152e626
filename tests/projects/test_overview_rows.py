"""The project overview's rows printed in Python (projects/overview_rows.py, the issues' and
flags' panels, portal.core.fragments) escape what people typed exactly as the templates did."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from issues.models import IssueStatus
from oversight.monitoring.models import FlagKind
from oversight.monitoring.models import Severity as FlagSeverity
from portal.core.fragments import esc, html
from projects.models import DecisionRequest, TeamRole
from projects.overview_rows import person
from tests.factories.issues import ServiceIssueFactory
from tests.factories.monitoring import FlagFactory
from tests.factories.organizations import UserFactory
from tests.factories.projects import MilestoneFactory, ProjectMemberFactory, StatusUpdateFactory

NOW = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
HOSTILE = "<script>alert('{}')</script> & \"more\""


def _escaped(what: str) -> str:
    return conditional_escape(HOSTILE.format(what))


def _panel(body: str, element_id: str) -> str:
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</section>", start)]


@pytest.mark.parametrize(
    "value",
    [HOSTILE, "O'Brien & Søn", 42, gettext_lazy("Decision-maker"), mark_safe("<b>made here</b>"), ""],
)
def test_esc_escapes_as_the_template_engine_does(value):
    assert esc(value) == conditional_escape(value)


def test_html_joins_the_parts_as_safe_text():
    joined = html(["<li>", esc("<i>"), "</li>"])
    assert isinstance(joined, SafeString) and joined == "<li>&lt;i&gt;</li>"


@pytest.mark.parametrize("detail", ["Sponsor · Decision-maker", "", HOSTILE.format("detail")])
def test_person_prints_what_the_person_include_prints(detail):
    user = UserFactory.build(full_name=HOSTILE.format("name"))
    included = render_to_string("includes/person.html", {"person": user, "detail": detail}).strip()
    assert person(user, detail) == included


@time_machine.travel(NOW, tick=False)
def test_every_row_of_the_overview_escapes_what_people_typed(client, project, cdmo_pm, sponsor_lead):
    project.cdmo.name = "Northbridge <b>Biologics</b>"
    project.cdmo.save(update_fields=["name"])
    ProjectMemberFactory(
        project=project,
        role=TeamRole.DECISION_MAKER,
        user=UserFactory(organization=project.sponsor, full_name=HOSTILE.format("name")),
    )
    update = StatusUpdateFactory(
        project=project,
        created_by=cdmo_pm,
        published=True,
        title=HOSTILE.format("update"),
        summary=HOSTILE.format("summary") + "\nSecond line",
    )
    MilestoneFactory(
        project=project,
        title=HOSTILE.format("milestone"),
        baseline_date=TODAY + dt.timedelta(days=3),
        forecast_date=TODAY + dt.timedelta(days=30),
    )
    DecisionRequest.objects.create(
        project=project, update=update, title=HOSTILE.format("decision"), needed_by=TODAY
    )
    ServiceIssueFactory(project=project, title=HOSTILE.format("issue"), raised_at=NOW)
    ServiceIssueFactory(
        project=project,
        title="Being fixed",
        status=IssueStatus.PLAN_ACCEPTED,
        raised_at=NOW - dt.timedelta(days=2),
        acknowledged_at=NOW - dt.timedelta(days=1),
    )
    FlagFactory(
        project=project,
        kind=FlagKind.MILESTONE_SLIP,
        severity=FlagSeverity.WARNING,
        explanation=HOSTILE.format("flag"),
    )

    client.force_login(sponsor_lead)
    body = client.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert "<script>alert" not in body and "<b>Biologics</b>" not in body
    assert _escaped("update") in _panel(body, "overview-update")
    assert _escaped("summary") + " Second line" in _panel(body, "overview-update")
    assert _escaped("milestone") in _panel(body, "overview-milestones")
    decisions = _panel(body, "decisions-needed")
    assert _escaped("decision") in decisions and conditional_escape(HOSTILE.format("update")) in decisions
    issues = _panel(body, "overview-issues")
    assert _escaped("issue") in issues
    assert "Northbridge &lt;b&gt;Biologics&lt;/b&gt; is carrying out the plan." in issues
    assert _escaped("flag") in _panel(body, "overview-flags")
    contacts = _panel(body, "overview-contacts-title")
    assert f"{_escaped('name')}<small>Sponsor · Decision-maker</small>" in contacts


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("published_days_ago", "next_due_in", "badge"),
    [
        (
            0,
            7,
            '<span class="badge" title="Updates are due every 7 days; the next one by 15 Dec">Last update today</span>',
        ),
        (1, None, '<span class="badge" title="Updates are due every 7 days">Last update yesterday</span>'),
        (
            9,
            1,
            '<span class="badge badge-amber" title="Updates are due every 7 days; the next one by 9 Dec">Last update 9 days ago</span>',
        ),
        (
            10,
            -3,
            '<span class="badge badge-red" title="Updates are due every 7 days; the next one by 5 Dec">'
            "Last update 10 days ago · next one overdue</span>",
        ),
    ],
)
def test_the_header_says_how_old_the_latest_update_is(
    client, project, cdmo_pm, published_days_ago, next_due_in, badge
):
    update = StatusUpdateFactory(project=project, created_by=cdmo_pm, published=True, title="Week <49>")
    type(project).objects.filter(pk=project.pk).update(
        update_cadence_days=7,
        last_update_published_at=NOW - dt.timedelta(days=published_days_ago),
        next_update_due=None if next_due_in is None else TODAY + dt.timedelta(days=next_due_in),
    )
    client.force_login(cdmo_pm)
    for url in (reverse("projects:detail", args=[project.pk]), reverse("projects:team", args=[project.pk])):
        body = client.get(url).content.decode()
        assert badge in body
        assert (
            f'href="{update.get_absolute_url()}" title="Overall status in the latest update: Week &lt;49&gt;"'
            in body
        )
