import datetime as dt

import pytest
from django.utils import timezone

from portal.core import clock


def test_now_is_the_real_time_outside_a_replay():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()


def test_replaying_answers_the_replayed_instant_and_restores_it():
    at = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
    later = dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)
    with clock.replaying(at):
        assert clock.now() == at
        with clock.replaying(later):
            assert clock.now() == later
        assert clock.now() == at
    assert clock.now() != at


def test_localdate_follows_the_current_time_zone():
    at = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    with clock.replaying(at), timezone.override("Asia/Tokyo"):
        assert clock.localdate() == dt.date(2027, 1, 1)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError), clock.replaying(dt.datetime(2026, 1, 1)):
        pass
