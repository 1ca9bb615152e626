"""Targets agreed in the working agreement win over both organizations' for that project: the
Health tab's colours, its overall score and the evidence page follow them, and say where each
target comes from; the roll-ups keep the organizations' targets."""

import datetime as dt

import pytest
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects
from oversight.scorecards.models import OrganizationTarget
from oversight.scorecards.selectors import project_health
from oversight.scorecards.targets import WELL_BELOW, Targets, targets_for
from projects import services
from projects.models import TeamRole
from projects.selectors import access_for
from tests.factories.projects import staff_project
from tests.projects.test_working_agreement import _in_force, _terms

from .helpers import NOW, done_milestone, member

pytestmark = pytest.mark.usefixtures("frozen_now")


def _set(organization, key, target, amber, red, weight):
    OrganizationTarget.objects.create(
        organization=organization,
        measure=key,
        target=target,
        amber=amber,
        red=red,
        weight=weight,
        updated_at=NOW,
    )


@pytest.fixture
def project(db):
    project = staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=90)
    # Q4 (to 18 Nov): four milestones, three on or before their baseline: 75 %.
    for baseline, actual in ((15, 10), (15, 15), (15, 20)):
        done_milestone(project, baseline=dt.date(2026, 10, baseline), actual=dt.date(2026, 10, actual))
    done_milestone(project, baseline=dt.date(2026, 11, 5), actual=dt.date(2026, 11, 1))
    # The sponsor expects 80 % of its CDMOs' milestones on time (amber below 75, red below 50);
    # the CDMO has set its target for decisions on time.
    _set(project.sponsor, "on_time", 80, 75, 50, 2)
    _set(project.cdmo, "decisions_on_time", 60, 50, 40, 1)
    refresh_projects([project.pk])
    return project


def _on_time_row(project):
    return next(row for row in project_health(project=project).rows if row.measure.key == "on_time")


def test_without_agreed_targets_the_sponsors_apply(project):
    row = _on_time_row(project)
    assert row.targets == Targets(80, 75, 50, 2) and row.targets.source == f"{project.sponsor.name}'s default"
    assert row.cells[0].band.words == "close to target"  # 75 %: at the amber threshold


def test_an_agreed_target_wins_and_the_colours_and_score_follow(client, project):
    _in_force(
        project,
        member(project, TeamRole.SPONSOR_LEAD),
        member(project, TeamRole.PROJECT_MANAGER),
        scorecard_targets={"on_time": [90, 85, 80]},
    )
    health = project_health(project=project)
    row = next(row for row in health.rows if row.measure.key == "on_time")
    # The agreement's target and thresholds; the weight stays the sponsor's.
    assert row.targets == Targets(90, 85, 80, 2)
    assert row.targets.source == "agreed in the working agreement v1"
    assert row.cells[0].band == WELL_BELOW  # 75 % is below the agreed red threshold of 80
    cdmo = next(group for group in health.groups if group.key == "cdmo")
    assert (cdmo.score.percent, cdmo.score.targets.target, cdmo.score.band) == (75, 90, WELL_BELOW)

    client.force_login(member(project, TeamRole.PROJECT_MANAGER))
    html = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    on_time = html.index('aria-label="75 %, On-time delivery, Q4 2026: the 4 milestones counted">75 %</a>')
    assert html.rindex("<td", 0, on_time) == html.rindex('<td class="band-cell band-cell-red">', 0, on_time)
    assert '<span class="scorecard-n scorecard-source">Agreed in the working agreement v1</span>' in html
    # The measures it did not agree keep the organizations' (or the portal's) defaults, and say so.
    assert f'<span class="scorecard-n scorecard-source">{project.cdmo.name}&#x27;s default</span>' in html
    assert '<span class="scorecard-n scorecard-source">The portal&#x27;s default</span>' in html
    assert "; target 90 %." in html  # the CDMO's overall score, against the agreed target

    evidence = client.get(
        reverse("scorecards:evidence", args=[project.pk, "on_time", "2026-q4"])
    ).content.decode()
    assert (
        "<strong>Target.</strong> 90 %, amber below 85 %, red below 80 %: agreed in the working agreement v1."
        in evidence
    )
    assert '<span class="band band-red">well below target</span>' in evidence


def test_the_roll_ups_keep_the_organizations_targets(project):
    _in_force(
        project,
        member(project, TeamRole.SPONSOR_LEAD),
        member(project, TeamRole.PROJECT_MANAGER),
        scorecard_targets={"on_time": [90, 85, 80]},
    )
    applying = targets_for([(project.sponsor_id, project.cdmo_id)])[project.sponsor_id, project.cdmo_id]
    assert applying["on_time"] == Targets(80, 75, 50, 2)


def test_a_later_version_without_targets_gives_the_organizations_back(project):
    sponsor, cdmo = member(project, TeamRole.SPONSOR_LEAD), member(project, TeamRole.PROJECT_MANAGER)
    _in_force(project, sponsor, cdmo, scorecard_targets={"on_time": [90, 85, 80]})
    assert _on_time_row(project).targets == Targets(90, 85, 80, 2)
    # The next version (through a change request) drops the agreed target.
    from_change = _changed_without_targets(project, sponsor, cdmo)
    assert from_change.scorecard_targets == {}
    row = _on_time_row(project)
    assert row.targets == Targets(80, 75, 50, 2) and row.targets.source == f"{project.sponsor.name}'s default"


def _changed_without_targets(project, sponsor, cdmo):
    change = services.agreement_propose_change(
        access=access_for(user=cdmo, project=project),
        terms=_terms(sponsor, cdmo),
        why="Back to the organizations' targets.",
        needed_by=NOW.date(),
    )
    decider = access_for(user=member(project, TeamRole.DECISION_MAKER), project=project)
    services.change_approve(access=decider, change=change, option=change.options.get())
    return change.proposed_agreement
