"""The dashboard's trend and open-flag panels (`flag_summary`): the same figures as counting each
flag by hand, in local weeks, over the visible projects only, in one query, whether they come
from the stored tallies (someone who sees the whole organization, a zone whose weeks start on a
whole UTC hour) or from one pass over the flags (a team member; a half-hour zone)."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.utils import timezone

from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.selectors import flag_summary
from portal.accounts.models import OrgRole
from projects.models import TeamRole
from tests.factories.monitoring import FlagFactory
from tests.factories.organizations import CDMOFactory, SponsorFactory, UserFactory
from tests.factories.projects import ProjectMemberFactory, staff_project

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
KINDS = list(FlagKind.values)


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        acme, other, alpha = SponsorFactory(), SponsorFactory(), CDMOFactory()
        mine = [staff_project(sponsor=acme, cdmo=alpha, start_date=dt.date(2026, 1, 5)) for _ in range(2)]
        foreign = staff_project(sponsor=other, cdmo=alpha, start_date=dt.date(2026, 1, 5))
        Flag.objects.all().update(
            cleared_at=NOW - dt.timedelta(days=400), raised_at=NOW - dt.timedelta(days=401)
        )
        moments = [
            # (raised days ago, cleared days ago or None): inside, across and before the window
            (0, None),
            (3, 1),
            (20, None),
            (90, 40),  # raised before the 12 weeks, cleared inside them
            (200, 150),  # wholly before
            (60, 60),
        ]
        for project in (*mine, foreign):
            for i, (raised, cleared) in enumerate(moments):
                FlagFactory(
                    project=project,
                    kind=KINDS[i],
                    raised_at=NOW - dt.timedelta(days=raised),
                    cleared_at=None if cleared is None else NOW - dt.timedelta(days=cleared),
                )
        # On a week's boundary: Sunday 23:30 UTC is Monday 00:30 in Berlin, Sunday 22:30 UTC is not.
        monday = dt.datetime(2026, 11, 8, 23, 30, tzinfo=dt.UTC)
        FlagFactory(project=mine[0], kind=KINDS[7], raised_at=monday)
        FlagFactory(project=mine[1], kind=KINDS[7], raised_at=monday - dt.timedelta(hours=1))
        return {"exec": UserFactory(organization=acme, org_role=OrgRole.EXECUTIVE), "mine": mine}


def _expected(flags):
    raised = Counter(_monday(f.raised_at) for f in flags)
    cleared = Counter(_monday(f.cleared_at) for f in flags if f.cleared_at)
    open_kinds = Counter(f.kind for f in flags if f.cleared_at is None)
    counts = sorted(
        ((kind, label, open_kinds[kind]) for kind, label in FlagKind.choices), key=lambda t: -t[2]
    )
    return raised, cleared, counts


def _monday(moment: dt.datetime) -> dt.date:
    day = timezone.localdate(moment)
    return day - dt.timedelta(days=day.weekday())


@time_machine.travel(NOW, tick=False)
@timezone.override("Europe/Berlin")  # a week starts at Monday 00:00 local, Sunday 23:00 UTC
def test_trend_and_counts_equal_counting_each_flag(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        trend, counts = flag_summary(user=world["exec"])
    flags = list(Flag.objects.filter(project__in=world["mine"]))
    raised, cleared, expected_counts = _expected(flags)
    assert trend.weeks[-1] == dt.date(2026, 11, 16) and len(trend.weeks) == 12
    assert trend.raised == [raised[w] for w in trend.weeks]
    assert trend.cleared == [cleared[w] for w in trend.weeks]
    assert sum(trend.raised) == 10 and sum(trend.cleared) == 6  # the foreign project's not counted
    assert trend.raised[trend.weeks.index(dt.date(2026, 11, 9))] == 1 + 2  # 00:30 Monday local, + 3 days ago
    assert trend.raised[trend.weeks.index(dt.date(2026, 11, 2))] == 1  # 22:30 Sunday local
    assert counts == expected_counts
    assert counts[0][2] == 2 and sum(n for _kind, _label, n in counts) == 6


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"])
@pytest.mark.parametrize("role", [OrgRole.EXECUTIVE, OrgRole.MEMBER])
def test_every_zone_and_role_counts_the_same(world, zone, role, django_assert_num_queries):
    """Stored tallies (an executive, weeks starting on a whole UTC hour) or a count (a team
    member, or Kolkata's and Kathmandu's half- and quarter-hour weeks): the same figures."""
    user = UserFactory(organization=world["exec"].organization, org_role=role)
    if role == OrgRole.MEMBER:  # on the team of the first project only
        ProjectMemberFactory(project=world["mine"][0], user=user, role=TeamRole.SPONSOR_MEMBER)
    seen = world["mine"] if role == OrgRole.EXECUTIVE else world["mine"][:1]
    with timezone.override(zone):
        with django_assert_num_queries(1):
            trend, counts = flag_summary(user=user)
        raised, cleared, expected_counts = _expected(list(Flag.objects.filter(project__in=seen)))
    assert (trend.raised, trend.cleared) == (
        [raised[w] for w in trend.weeks],
        [cleared[w] for w in trend.weeks],
    )
    assert counts == expected_counts
    assert sum(trend.raised) > 0 and sum(trend.cleared) > 0
