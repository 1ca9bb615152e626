"""The notice step at scale: flags raised together are repeated each at its own moment, once a
week; a step that fails half-way loses nothing and repeats nothing."""

import datetime as dt
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, connection
from django.utils import timezone

from meetings.models import ActionItem
from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.notices import REPEAT_EVERY, repeat_offset, send_flag_notices
from oversight.monitoring.services import sweep
from portal.notifications.models import Notification
from projects.models import TeamRole
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.projects import staff_project

NOW = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
HOW_MANY = 500


@pytest.fixture
def overdue_flags(db):
    """HOW_MANY overdue action items on one project, flagged by one sweep (not yet announced); the
    flags, in the order the notice step takes them."""
    project = staff_project(start_date=dt.date(2026, 1, 5))
    project.last_update_published_at = NOW
    project.next_update_due = timezone.localdate(NOW) + dt.timedelta(days=7)
    project.save()
    meeting = MeetingFactory(project=project, starts_at=NOW - dt.timedelta(days=20))
    overdue = timezone.localdate(NOW) - dt.timedelta(days=3)
    ActionItem.objects.bulk_create(
        ActionItemFactory.build(meeting=meeting, title=f"Action {n}", due_date=overdue)
        for n in range(HOW_MANY)
    )
    with time_machine.travel(NOW, tick=False):
        sweep(now=NOW, notify=False)
    flags = list(Flag.objects.order_by("pk"))  # and the meeting's minutes not sent
    assert Flag.objects.filter(kind=FlagKind.ACTION_ITEM_OVERDUE).count() == HOW_MANY
    assert len(flags) == HOW_MANY + 1 and {f.raised_at for f in flags} == {NOW}
    pm = project.members.get(role=TeamRole.PROJECT_MANAGER).user
    return flags, pm


def _told_by_flag(flags):
    """{flag pk: [(dedupe key, when)]} of the notices about these flags (one recipient: the PM)."""
    told = defaultdict(list)
    for key, created_at in Notification.objects.filter(kind__startswith="flag.").values_list(
        "dedupe_key", "created_at"
    ):
        told[int(key.split(":")[1])].append((key, created_at))
    return {flag.pk: sorted(told[flag.pk], key=lambda item: item[1]) for flag in flags}


def _step_runs(*, weeks):
    """Moments the notice step runs at: every ten minutes around each week's repeats (a day and
    some), hourly in between (nothing is due then; the real step runs every minute)."""
    moment = NOW
    while moment <= NOW + weeks * REPEAT_EVERY + dt.timedelta(hours=27):
        yield moment
        into_week = (moment - NOW) % REPEAT_EVERY
        moment += dt.timedelta(minutes=10) if into_week <= dt.timedelta(hours=27) else dt.timedelta(hours=1)


def test_flags_raised_together_repeat_at_their_own_moments_once_a_week(overdue_flags):
    flags, _pm = overdue_flags
    for moment in _step_runs(weeks=2):
        with time_machine.travel(moment, tick=False):
            send_flag_notices(now=moment)

    told = _told_by_flag(flags)
    for flag in flags:
        keys = [key for key, _when in told[flag.pk]]
        assert keys == [f"flag:{flag.pk}:week-{week}" for week in range(3)]  # raised, then once a week
        moments = [when for _key, when in told[flag.pk]]
        assert moments[0] == NOW
        assert all(later - earlier >= REPEAT_EVERY for earlier, later in pairwise(moments))
        assert all(
            later - earlier <= REPEAT_EVERY + dt.timedelta(hours=26) for earlier, later in pairwise(moments)
        )

    first_repeats = Counter(told[flag.pk][1][1].replace(minute=0) for flag in flags)  # by hour
    assert len(first_repeats) >= 24  # spread over a day's hours, not one herd
    assert max(first_repeats.values()) <= 2 * len(flags) // 24


def test_a_step_that_fails_half_way_loses_nothing_and_repeats_nothing(
    overdue_flags, django_capture_on_commit_callbacks
):
    flags, pm = overdue_flags
    victim = flags[250]  # in the third batch of 100
    with connection.cursor() as cursor:
        # A real failure of the database while the step marks the third batch told.
        cursor.execute(
            f"""
            CREATE FUNCTION test_fail_marking_told() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.id = {victim.pk} AND NEW.last_notified_at IS NOT NULL THEN
                    RAISE EXCEPTION 'could not extend file: No space left on device';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_fail_marking_told BEFORE UPDATE ON monitoring_flag
                FOR EACH ROW EXECUTE FUNCTION test_fail_marking_told();
            """
        )
    moment = NOW + dt.timedelta(minutes=1)
    with (
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DatabaseError, match="No space left"),
    ):
        send_flag_notices(now=moment, batch=100)

    told = {flag.pk for flag in Flag.objects.filter(last_notified_at=moment)}
    assert told == {flag.pk for flag in flags[:200]}  # the batches before the failure stand
    assert {
        pk for pk, notices in _told_by_flag(flags).items() if notices
    } == told  # the failed one left nothing
    assert len(mail.outbox) == 200

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_fail_marking_told ON monitoring_flag")
    later = moment + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert send_flag_notices(now=later, batch=100) == len(flags) - 200
    told = _told_by_flag(flags)
    assert all([key for key, _when in told[flag.pk]] == [f"flag:{flag.pk}:week-0"] for flag in flags)
    assert Notification.objects.filter(recipient=pm, kind="flag.raised").count() == len(flags)
    assert len(mail.outbox) == len(flags)
    assert len({m.subject for m in mail.outbox}) == len(flags)  # each flag's own email, once


@pytest.mark.parametrize("how_many", [1, 50])
def test_the_notice_step_makes_the_same_queries_for_1_or_50_flags(db, how_many, django_assert_num_queries):
    project = staff_project(start_date=dt.date(2026, 1, 5))
    project.last_update_published_at = NOW
    project.next_update_due = timezone.localdate(NOW) + dt.timedelta(days=7)
    project.save()
    meeting = MeetingFactory(project=project, starts_at=NOW - dt.timedelta(days=20))
    ActionItem.objects.bulk_create(
        ActionItemFactory.build(meeting=meeting, due_date=timezone.localdate(NOW) - dt.timedelta(days=3))
        for _ in range(how_many)
    )
    with time_machine.travel(NOW, tick=False):
        sweep(now=NOW, notify=False)
        # savepoint, the due flags (locked), their action items, the meeting's minutes flag's meeting,
        # the people, notify_many's four, the UPDATE, release
        with django_assert_num_queries(11):
            assert send_flag_notices(now=NOW) == how_many + 1  # and the minutes-not-sent flag


def test_a_repeat_sent_late_never_comes_again_within_a_week_and_returns_to_its_moment(overdue_flags):
    flags, _pm = overdue_flags
    flag = flags[0]
    with time_machine.travel(NOW, tick=False):
        send_flag_notices(now=NOW)
    moment = NOW + REPEAT_EVERY + repeat_offset(flag.pk)  # its first repeat is due here,
    late = moment + dt.timedelta(hours=3)  # but the step was down for three hours
    runs = [
        late + n * dt.timedelta(minutes=20) for n in range(int(2 * REPEAT_EVERY / dt.timedelta(minutes=20)))
    ]
    for run in runs:
        with time_machine.travel(run, tick=False):
            send_flag_notices(now=run)
    told = [when for _key, when in _told_by_flag([flag])[flag.pk]]
    # Told late once, then not 7 days after that (with the other late flags, a herd again) but at
    # its own moment of the week after, 14 days after the one it missed.
    assert told == [NOW, late, moment + 2 * REPEAT_EVERY]
