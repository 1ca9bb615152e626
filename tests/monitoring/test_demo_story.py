"""On the demo data the dashboard tells a true story."""

import pytest
from django.core.management import call_command

from oversight.monitoring.models import Flag
from tests.demo_story import assert_dashboard_story


@pytest.mark.django_db
def test_demo_dashboard_shows_green_stale_absent_decision_maker_and_breached_issue(client):
    call_command("seed_demo", "--quiet")
    before = Flag.objects.count()
    call_command("seed_demo", "--quiet")
    assert Flag.objects.count() == before  # idempotent, history included

    assert_dashboard_story(client)
