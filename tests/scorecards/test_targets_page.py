"""Whose targets colour a project's Health tab, what it shows against them, and the page where an
organization's admin sets them."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects
from oversight.scorecards.models import OrganizationTarget
from oversight.scorecards.targets import Targets, default, measures_set_by, targets_for
from portal.accounts.models import OrgRole
from projects.models import TeamRole
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import staff_project

from .helpers import NOW, UTC, change, done_milestone, member

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
    # A 90-day cadence from 1 June: one period due in Q3 (30 Aug), none yet in Q4: too few.
    project = staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=90)
    # Q3: three milestones, all on time: 100 %.
    for day in (3, 10, 20):
        done_milestone(project, baseline=dt.date(2026, 8, 20), actual=dt.date(2026, 8, day))
    # Q4 (to 18 Nov): four milestones, three on or before their baseline: 75 %.
    for baseline, actual in ((15, 10), (15, 15), (15, 20)):
        done_milestone(project, baseline=dt.date(2026, 10, baseline), actual=dt.date(2026, 10, actual))
    done_milestone(project, baseline=dt.date(2026, 11, 5), actual=dt.date(2026, 11, 1))
    # Q4 decisions: needed by 10 Oct and 20 Oct, decided the day before; needed by 2 Nov, still
    # open (late): 2 of 3 = 67 %.
    for day in (10, 20):
        needed = dt.date(2026, 10, day)
        change(
            project,
            needed_by=needed,
            decided=dt.datetime.combine(needed, dt.time(9), tzinfo=UTC) - dt.timedelta(days=1),
        )
    change(project, needed_by=dt.date(2026, 11, 2))
    refresh_projects([project.pk])
    return project


def test_each_side_is_judged_by_its_counterparts_targets(project):
    _set(project.sponsor, "on_time", 80, 75, 50, 2)
    _set(project.cdmo, "on_time", 99, 98, 97, 9)  # a CDMO's row for a CDMO measure never applies
    _set(project.cdmo, "decisions_on_time", 60, 50, 40, 1)
    other = staff_project(cdmo=project.cdmo)  # another sponsor of the same CDMO, nothing set
    applying = targets_for([(project.sponsor_id, project.cdmo_id), (other.sponsor_id, other.cdmo_id)])
    mine = applying[project.sponsor_id, project.cdmo_id]
    assert mine["on_time"] == Targets(80, 75, 50, 2)
    assert mine["decisions_on_time"] == Targets(60, 50, 40, 1)
    assert mine["cadence"] == default("cadence")
    theirs = applying[other.sponsor_id, other.cdmo_id]
    assert theirs["on_time"] == default("on_time")
    assert theirs["decisions_on_time"] == Targets(60, 50, 40, 1)  # the same CDMO's expectation


@pytest.mark.parametrize("role", [TeamRole.SPONSOR_LEAD, TeamRole.PROJECT_MANAGER])
def test_both_sides_see_the_same_colours_score_and_trend(client, project, role):
    _set(project.sponsor, "on_time", 80, 75, 50, 2)
    _set(project.cdmo, "decisions_on_time", 60, 50, 40, 1)
    client.force_login(member(project, role))
    html = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    # On-time delivery this quarter 75 %: at the sponsor's amber threshold (75), below its target
    # (80): green, close to target. Q3's 100 %: on target.
    on_time = html.index('aria-label="75 %, On-time delivery, Q4 2026: the 4 milestones counted">75 %</a>')
    assert html.rindex("<td", 0, on_time) == html.rindex('<td class="band-cell band-cell-green">', 0, on_time)
    assert '<span class="band band-green">close to target</span>' in html
    assert "amber below 75 %, red below 50 %, weight ×2" in html
    # Decisions on time 67 %: on the CDMO's target of 60 (the default 85 would make it amber).
    assert re.search(
        r'Decisions on time, Q4 2026: the 3 requests counted">67 %</a></span>\s*'
        r'<span class="band band-green">on target</span>',
        html,
    )
    # The CDMO's score: on-time delivery alone has enough records (75 % against target 80).
    assert (
        "This quarter: Weighted mean of 1 of 7 measures with enough records: On-time delivery ×2; "
        "target 80 %. Too few records: No surprises, Cadence kept, Responsiveness, Service issues "
        "answered in time, Meeting discipline, Action items on time." in html
    )
    assert html.count("Overall score") == 2  # one a side
    # Trend: 75 % this quarter against Q3's 100 %: 25 points down, falling.
    assert '<span class="trend-word trend-falling">falling</span>' in html
    assert (
        '<title id="trend-on_time">On-time delivery by quarter, oldest first: Q4 2025 too few records, '
        "Q1 2026 too few records, Q2 2026 too few records, Q3 2026 100 %, Q4 2026 75 %; target 80 %. "
        "Falling: this quarter against a mean of 100 % before.</title>" in html
    )
    assert f"the targets <strong>{project.sponsor}</strong> (the sponsor) set for its CDMOs" in html
    assert 'style="' not in html.split('id="health-heading"')[1]  # CSP: no inline styles


def _url():
    return reverse("scorecards:targets")


def _admin(organization):
    return UserFactory(organization=organization, org_role=OrgRole.ADMIN)


def test_an_admin_sees_the_measures_the_organization_sets_with_the_defaults(client, project):
    client.force_login(_admin(project.sponsor))
    html = client.get(_url()).content.decode()
    # A sponsor sets what it expects of its CDMOs: the CDMO's measures, not its own.
    assert "<legend>On-time delivery</legend>" in html and "<legend>Decisions on time</legend>" not in html
    assert 'name="on_time-target" value="90"' in html and 'name="on_time-weight" value="3"' in html
    client.force_login(_admin(project.cdmo))
    html = client.get(_url()).content.decode()
    assert "<legend>Decisions on time</legend>" in html and "<legend>On-time delivery</legend>" not in html
    # The members page links to it for the admin.
    assert f'href="{_url()}"' in client.get(reverse("organizations:members")).content.decode()


def _typed(organization=None, **changed):
    """Every field of the targets form as it comes (the defaults) for `organization` (a sponsor
    by default: the CDMO's measures), with `changed` typed over them."""
    data = {}
    for key in (m.key for m in measures_set_by(organization or SponsorFactory.build())):
        targets = default(key)
        data |= {
            f"{key}-target": targets.target,
            f"{key}-amber": targets.amber,
            f"{key}-red": targets.red,
            f"{key}-weight": targets.weight,
        }
    return data | changed


def test_a_valid_form_saves_the_targets_the_health_tab_then_uses(client, project):
    admin = _admin(project.sponsor)
    client.force_login(admin)
    response = client.post(
        _url(),
        _typed(**{"on_time-target": "80", "on_time-amber": "75", "on_time-weight": "0"}),
    )
    assert response.status_code == 302
    row = OrganizationTarget.objects.get(organization=project.sponsor, measure="on_time")
    assert (row.target, row.amber, row.red, row.weight, row.updated_by) == (80, 75, 65, 0, admin)
    # Every measure the sponsor sets (the CDMO's seven share measures), one row each.
    assert OrganizationTarget.objects.filter(organization=project.sponsor).count() == 7
    assert targets_for([(project.sponsor_id, project.cdmo_id)])[project.sponsor_id, project.cdmo_id][
        "on_time"
    ] == Targets(80, 75, 65, 0)
    # Weighing 0, on-time delivery leaves the CDMO's score: nothing else has enough records.
    client.force_login(member(project, TeamRole.PROJECT_MANAGER))
    html = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    assert "Not measurable: the measures with enough records (On-time delivery) weigh 0." in html


def test_an_invalid_form_comes_back_with_errors_and_what_was_typed(client, project):
    client.force_login(_admin(project.sponsor))
    typed = _typed(
        **{
            "on_time-target": "70",
            "on_time-amber": "80",
            "cadence-red": "101",
            "responsiveness-weight": "-1",
            "meeting_discipline-target": "ninety",
        }
    )
    response = client.post(_url(), typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved: correct the figures marked below" in html
    assert "The amber threshold must be at or below the target." in html
    assert "Ensure this value is less than or equal to 100." in html
    assert "Ensure this value is greater than or equal to 0." in html
    assert "Enter a whole number." in html
    assert 'name="on_time-target" value="70"' in html and 'name="on_time-amber" value="80"' in html
    assert (
        'name="cadence-red" value="101"' in html and 'name="meeting_discipline-target" value="ninety"' in html
    )
    assert not OrganizationTarget.objects.exists()  # nothing saved, not even the valid measures


def test_red_above_amber_is_refused(client, project):
    client.force_login(_admin(project.sponsor))
    response = client.post(_url(), _typed(**{"cadence-red": "90"}))  # amber 85
    assert "The red threshold must be at or below the amber threshold." in response.content.decode()
    assert not OrganizationTarget.objects.exists()


def test_only_admins_reach_the_page_and_only_for_their_own_organization(client, project):
    for outsider in (
        UserFactory(organization=project.sponsor, org_role=OrgRole.MEMBER),
        UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE),
    ):
        client.force_login(outsider)
        assert client.get(_url()).status_code == 404
        assert client.post(_url(), _typed()).status_code == 404
    assert not OrganizationTarget.objects.exists()
    # The page names no organization: another organization's admin sees and changes their own.
    other = CDMOFactory()
    client.force_login(_admin(other))
    html = client.get(_url()).content.decode()
    assert str(other) in html and str(project.sponsor) not in html
    typed = _typed(other, **{"decisions_on_time-target": 60, "decisions_on_time-amber": 50})
    assert client.post(_url(), typed).status_code == 302
    saved = OrganizationTarget.objects.values_list("organization", "measure", "target")
    assert {org for org, _, _ in saved} == {other.pk}
    assert (other.pk, "decisions_on_time", 60) in saved and len(saved) == 5  # the sponsor's five
