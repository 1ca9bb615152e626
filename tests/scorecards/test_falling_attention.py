"""A falling scorecard measure is an early warning: the refresh stores which measures fall, the
dashboard's attention score counts them, and the row names them."""

import datetime as dt

import pytest
from django.urls import reverse

from oversight.monitoring.attention import SCORE_WEIGHTS, refresh_attention
from oversight.monitoring.models import ProjectAttention
from oversight.scorecards.figures import refresh_projects
from oversight.scorecards.models import ProjectTrend
from portal.accounts.models import OrgRole
from tests.factories.organizations import UserFactory
from tests.factories.projects import staff_project

from .helpers import NOW, done_milestone

pytestmark = pytest.mark.usefixtures("frozen_now")

d = dt.date


@pytest.fixture
def project(db):
    """On-time delivery falls: Q3 3 of 3 on time (100 %), Q4 so far 1 of 3 (33 %), 67 points
    below the earlier mean."""
    project = staff_project(start_date=d(2026, 6, 1), update_cadence_days=14)
    for day in (3, 4, 5):
        done_milestone(project, baseline=d(2026, 8, 10), actual=d(2026, 8, day))
    for actual in (d(2026, 10, 5), d(2026, 10, 20), d(2026, 11, 2)):
        done_milestone(project, baseline=d(2026, 10, 5), actual=actual)
    return project


def test_the_refresh_stores_the_falling_measures_and_the_score_counts_them(project):
    refresh_projects([project.pk])
    trend = ProjectTrend.objects.get(project=project)
    assert "on_time" in trend.falling and trend.computed_at == NOW
    stored = ProjectAttention.objects.get(project=project)
    assert stored.falling_measures == len(trend.falling)
    # The same project without falling measures scores exactly the weight per measure less.
    ProjectTrend.objects.filter(project=project).update(falling=[])
    refresh_attention(project_ids=[project.pk])
    without = ProjectAttention.objects.get(project=project)
    counted = min(len(trend.falling), SCORE_WEIGHTS["falling_measures_max"])
    assert stored.score - without.score == SCORE_WEIGHTS["falling_measure"] * counted
    assert without.falling_measures == 0


def test_a_measure_that_recovers_stops_counting(project):
    refresh_projects([project.pk])
    assert "on_time" in ProjectTrend.objects.get(project=project).falling
    stored = ProjectAttention.objects.get(project=project).falling_measures
    # Q3 turns out less perfect (two late ones found: 3 of 5, 60 %) and Q4 recovers (three more
    # on time: 4 of 6, 67 %): 7 points above the earlier mean, improving.
    for actual in (d(2026, 9, 20), d(2026, 9, 21)):
        done_milestone(project, baseline=d(2026, 9, 1), actual=actual)
    for day in (6, 7, 8):
        done_milestone(project, baseline=d(2026, 11, 10), actual=d(2026, 11, day))
    refresh_projects([project.pk])
    assert "on_time" not in ProjectTrend.objects.get(project=project).falling
    assert ProjectAttention.objects.get(project=project).falling_measures == stored - 1


def test_the_dashboard_row_names_the_falling_measures(client, project):
    refresh_projects([project.pk])
    executive = UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE)
    client.force_login(executive)
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    health = reverse("scorecards:project_health", args=[project.pk])
    assert f'<a class="score-falling small" href="{health}">Falling: On-time delivery' in html
    assert "per scorecard measure falling this quarter" in html
