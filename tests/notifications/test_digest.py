"""Daily digests: at the person's local hour, one email with everything waiting, once a day."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from portal.notifications import digests, tasks
from portal.notifications.models import DIGEST_KIND, EmailMode, EmailStatus, Notification
from portal.notifications.selectors import notifications_for, unread_count
from portal.notifications.services import notify, preferences_update, zone_of
from projects.notifications import project_subject

UTC = dt.UTC
# Emily (the sponsor lead) lives in New York: 12:00 UTC is 07:00 there in early March (EST).
MONDAY_EVENING = dt.datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 15:30 in New York
TUESDAY_7AM_NY = dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def _tell(person, n: int, *, at: dt.datetime, project=None):
    with time_machine.travel(at, tick=False):
        return notify(
            recipients=[person],
            kind="update.published",
            dedupe_key=f"update.published:update-{n}:{at.date()}",
            title=f"ACM-101: status update {n} published",
            body=f"Summary of update {n}.",
            url="/projects/",
            subject=project_subject(project) if project else None,
        )


@pytest.fixture
def digest_reader(sponsor_lead):
    preferences_update(user=sponsor_lead, email_mode=EmailMode.DAILY_DIGEST, digest_hour=7)
    return sponsor_lead


def _run_digests(at: dt.datetime, committed) -> list:
    with time_machine.travel(at, tick=False), committed():
        return digests.send_digests()


@pytest.mark.django_db
def test_at_the_local_digest_hour_one_digest_carries_everything_waiting(digest_reader, project, committed):
    with committed():
        for n in range(3):
            _tell(
                digest_reader, n, at=MONDAY_EVENING + dt.timedelta(minutes=n), project=project if n else None
            )
    assert mail.outbox == []  # nothing by email yet...
    assert unread_count(user=digest_reader) == 3  # ...but all in the app at once

    (digest,) = _run_digests(TUESDAY_7AM_NY, committed)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [digest_reader.email]
    assert message.subject == "Your Meridian digest: 3 notifications for Tuesday 3 March"
    for n in range(3):
        assert f"status update {n} published" in message.body
        assert f"status update {n} published" in message.alternatives[0][0]
    assert "Mon 2 Mar, 15:30" in message.body  # New York time, not UTC
    assert "ACM-101 · Zanrelimab scale-up" in message.body and "General" in message.body
    digest.refresh_from_db()
    assert digest.kind == DIGEST_KIND and digest.dedupe_key == f"digest:{digest_reader.pk}:2026-03-03"
    assert digest.email_status == EmailStatus.SENT
    items = Notification.objects.filter(recipient=digest_reader).exclude(kind=DIGEST_KIND)
    assert {(i.email_status, i.digest_id) for i in items} == {(EmailStatus.DIGESTED, digest.pk)}


@pytest.mark.django_db
def test_a_second_run_in_the_same_hour_sends_nothing(digest_reader, committed):
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
    assert len(_run_digests(TUESDAY_7AM_NY, committed)) == 1
    assert _run_digests(TUESDAY_7AM_NY + dt.timedelta(minutes=20), committed) == []
    with time_machine.travel(TUESDAY_7AM_NY + dt.timedelta(minutes=40), tick=False), committed():
        tasks.send_digests.delay()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_nothing_goes_out_before_the_hour_and_a_missed_hour_is_caught_up(digest_reader, committed):
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
    assert _run_digests(TUESDAY_7AM_NY - dt.timedelta(hours=1), committed) == []  # 06:00 in New York
    assert _run_digests(TUESDAY_7AM_NY + dt.timedelta(hours=3), committed) == []  # 10:00: too late today
    assert mail.outbox == []
    # Beat was down at 07:00 and 08:00; the 09:00 run still sends today's digest.
    assert len(_run_digests(TUESDAY_7AM_NY + dt.timedelta(hours=2), committed)) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_what_arrives_after_todays_digest_waits_for_tomorrows(digest_reader, committed):
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
    _run_digests(TUESDAY_7AM_NY, committed)
    with committed():
        _tell(digest_reader, 2, at=TUESDAY_7AM_NY + dt.timedelta(minutes=30))

    assert _run_digests(TUESDAY_7AM_NY + dt.timedelta(hours=1), committed) == []
    assert len(mail.outbox) == 1
    (wednesday,) = _run_digests(TUESDAY_7AM_NY + dt.timedelta(days=1), committed)
    assert len(mail.outbox) == 2
    assert "status update 2 published" in mail.outbox[1].body
    assert "status update 1 published" not in mail.outbox[1].body
    assert wednesday.dedupe_key.endswith(":2026-03-04")


@pytest.mark.django_db
def test_each_person_gets_the_digest_at_their_own_local_hour(digest_reader, cdmo_pm, committed):
    preferences_update(user=cdmo_pm, email_mode=EmailMode.DAILY_DIGEST, digest_hour=7)  # Berlin
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
        _tell(cdmo_pm, 1, at=MONDAY_EVENING)
    assert len(_run_digests(dt.datetime(2026, 3, 3, 6, 0, tzinfo=UTC), committed)) == 1  # 07:00 Berlin
    assert [m.to for m in mail.outbox] == [[cdmo_pm.email]]
    assert len(_run_digests(TUESDAY_7AM_NY, committed)) == 1
    assert [m.to for m in mail.outbox] == [[cdmo_pm.email], [digest_reader.email]]


@pytest.mark.django_db
def test_switching_back_to_immediate_flushes_what_waited_in_one_last_digest(digest_reader, committed):
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
        _tell(digest_reader, 2, at=MONDAY_EVENING)
    preferences_update(user=digest_reader, email_mode=EmailMode.IMMEDIATE, digest_hour=7)
    with committed():
        _tell(digest_reader, 3, at=MONDAY_EVENING + dt.timedelta(minutes=5))
    assert [m.subject for m in mail.outbox] == ["ACM-101: status update 3 published"]

    (last,) = _run_digests(
        MONDAY_EVENING + dt.timedelta(hours=1), committed
    )  # not their hour: flushed anyway
    assert len(mail.outbox) == 2 and "2 notifications" in mail.outbox[1].subject
    assert not Notification.objects.filter(email_status=EmailStatus.DIGEST).exists()


@pytest.mark.django_db
def test_switching_emails_off_drops_what_waited(digest_reader, committed):
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
    preferences_update(user=digest_reader, email_mode=EmailMode.NONE, digest_hour=7)
    assert _run_digests(TUESDAY_7AM_NY, committed) == []
    assert mail.outbox == []
    assert Notification.objects.get(recipient=digest_reader).email_status == EmailStatus.SKIPPED


@pytest.mark.django_db
def test_the_digest_itself_never_shows_in_the_app(digest_reader, committed):
    with committed():
        _tell(digest_reader, 1, at=MONDAY_EVENING)
    _run_digests(TUESDAY_7AM_NY, committed)
    assert [n.title for n in notifications_for(user=digest_reader)] == ["ACM-101: status update 1 published"]
    assert unread_count(user=digest_reader) == 1


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_the_same_moment_send_one_digest(digest_reader):
    _tell(digest_reader, 1, at=MONDAY_EVENING)
    _tell(digest_reader, 2, at=MONDAY_EVENING)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(5)
            results.append(digests.send_digests(now=TUESDAY_7AM_NY))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert Notification.objects.filter(kind=DIGEST_KIND).count() == 1
    assert len(mail.outbox) == 1 and "2 notifications" in mail.outbox[0].subject


@pytest.mark.clock
@pytest.mark.django_db
def test_each_digest_goes_out_once_in_the_morning_of_its_local_date(
    clock_now, digest_reader, cdmo_pm, committed
):
    """Hourly runs for two days from an awkward instant: New York and Berlin each get one digest,
    at (or just after) 07:00 their time, keyed by their local date, whatever the UTC date or offset."""
    preferences_update(user=cdmo_pm, email_mode=EmailMode.DAILY_DIGEST, digest_hour=7)
    with committed():
        _tell(digest_reader, 1, at=clock_now, project=None)
        _tell(cdmo_pm, 1, at=clock_now, project=None)
    first_run = clock_now.replace(minute=5, second=0, microsecond=0) + dt.timedelta(hours=1)
    sent = {}
    for hour in range(48):
        at = first_run + dt.timedelta(hours=hour)
        for digest in _run_digests(at, committed):
            assert digest.recipient_id not in sent, "a second digest"
            sent[digest.recipient_id] = (digest, at)

    assert set(sent) == {digest_reader.pk, cdmo_pm.pk}
    for person in (digest_reader, cdmo_pm):
        digest, at = sent[person.pk]
        local = at.astimezone(zone_of(person))
        assert 7 <= local.hour < 7 + digests.CATCH_UP_HOURS, (person.time_zone, local)
        assert digest.dedupe_key == f"digest:{person.pk}:{local.date()}"
        assert at - clock_now < dt.timedelta(hours=25)
