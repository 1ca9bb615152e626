"""What a row of an issue list says (issues/views/rows.py): the countdown of a running clock,
the accepted plan's target, the closing day, the escalation, the age and the other party."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from issues.models import IssueStatus, Severity
from tests.factories.issues import ResolutionPlanFactory, ServiceIssueFactory

NOW = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)


def row(body: str, title: str) -> str:
    """The text of the table row holding `title`, tags dropped and spaces folded."""
    match = re.search(r"<tr>((?:(?!</tr>).)*" + re.escape(title) + r".*?)</tr>", body, re.S)
    assert match, title
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_rows_say_what_each_issue_waits_for(client, project, team):
    lead = team["lead"]
    lead.time_zone = "Europe/Paris"
    lead.save()
    raised = NOW - dt.timedelta(days=2, hours=3)
    ServiceIssueFactory(
        project=project,
        raised_by=lead,
        title="Open one",
        raised_at=raised,
        acknowledge_by=NOW + dt.timedelta(hours=3, minutes=20),
        escalation_level=1,
        severity=Severity.CRITICAL,
    )
    planned = ServiceIssueFactory(
        project=project,
        raised_by=lead,
        title="Planned one",
        raised_at=raised,
        status=IssueStatus.PLAN_ACCEPTED,
        acknowledged_at=raised + dt.timedelta(hours=1),
    )
    ResolutionPlanFactory(
        issue=planned,
        status="accepted",
        responded_at=NOW,
        responded_by=lead,
        target_date=dt.date(2026, 12, 1),
        proposed_at=NOW - dt.timedelta(days=1),
    )
    ResolutionPlanFactory(  # an older accepted plan: the latest one's target is shown
        issue=planned,
        status="accepted",
        responded_at=NOW,
        responded_by=lead,
        target_date=dt.date(2027, 1, 9),
        proposed_at=NOW - dt.timedelta(days=2),
    )
    ServiceIssueFactory(
        project=project,
        raised_by=lead,
        title="Closed one",
        raised_at=raised,
        status=IssueStatus.CLOSED,
        acknowledged_at=raised + dt.timedelta(hours=1),
        resolved_at=NOW - dt.timedelta(hours=6),
        closed_at=NOW - dt.timedelta(hours=5),
    )
    client.force_login(lead)

    body = client.get(reverse("issues:list")).content.decode()

    open_row = row(body, "Open one")
    assert "Critical" in open_row and "Escalated · level 1" in open_row and 'title="CDMO management"' in body
    assert "Due in 3h 20m Acknowledgement by Thu 3 Dec, 15:20" in open_row  # the viewer's zone
    assert f"{project.code} {project.cdmo.name}" in open_row and "2d 3h" in open_row
    assert "Plan in progress Target 1 Dec 2026 passed" in row(body, "Planned one")
    closed_row = row(body, "Closed one")
    assert "Closed 3 Dec 2026" in closed_row and "1d 22h" in closed_row
    assert f"{lead.full_name} 1 Dec 2026" in closed_row  # raised 1 Dec, 09:00 in Paris
    tab = client.get(reverse("issues:project_issues", kwargs={"project_id": project.pk})).content.decode()
    assert "Plan in progress Target 1 Dec 2026 passed" in row(tab, "Planned one")
    assert project.cdmo.name not in row(tab, "Open one")  # the tab names no project or party
