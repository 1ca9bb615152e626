"""On the demo data the dashboard tells a true story."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.accounts.models import User
from portal.monitoring.models import Flag, FlagKind


@pytest.mark.django_db
def test_demo_dashboard_shows_green_stale_absent_decision_maker_and_breached_issue(client):
    call_command("seed_demo", "--quiet")
    before = Flag.objects.count()
    call_command("seed_demo", "--quiet")
    assert Flag.objects.count() == before  # idempotent, history included

    # Conditions that began before the demo was seeded are dated when a live sweep would have
    # raised them (the day after an action item fell due), not all on the seeding day.
    overdue = Flag.objects.filter(kind=FlagKind.ACTION_ITEM_OVERDUE, cleared_at__isnull=True)
    assert overdue.count() >= 3
    for flag in overdue:
        assert flag.raised_at.date() == flag.subject.due_date + datetime.timedelta(days=1), flag.explanation

    open_kinds = set(Flag.objects.filter(cleared_at__isnull=True).values_list("kind", "project__code"))
    assert (FlagKind.STALE_UPDATE, "HLX-207") in open_kinds
    assert (FlagKind.ISSUE_ACK_BREACH, "HLX-207") in open_kinds
    assert (FlagKind.DECISION_MAKER_ABSENT, "ACM-101") in open_kinds
    assert (FlagKind.NO_DECISION_MAKER, "HLX-201") in open_kinds
    assert Flag.objects.filter(cleared_at__isnull=False).count() >= 10  # twelve weeks of history

    client.force_login(User.objects.get(email="exec@cascade.example.com"))
    rows = client.get(reverse("monitoring:dashboard")).context["rows"]
    assert rows[0].code == "HLX-207" and rows[0].breached_issues >= 1
    assert any(row.score == 0 and row.overall == "green" for row in rows) or any(
        row.overall == "green" for row in rows
    )
