"""notify(): the one door. One notification and one email per recipient and key, whoever calls."""

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from portal.notifications.models import EmailMode, EmailStatus, Notification
from portal.notifications.services import notify, preferences_update
from projects.notifications import project_subject
from tests.factories.organizations import UserFactory


def _notify(recipients, key="reminder.update_due:project-1:2026-03-04", **extra):
    arguments = {
        "recipients": recipients,
        "kind": "reminder.update_due",
        "dedupe_key": key,
        "title": "ACM-101: status update due tomorrow",
        "body": "The agreed cadence is weekly; the next update is due on 4 March.",
        "url": "/projects/1/",
        **extra,
    }
    return notify(**arguments)


@pytest.mark.django_db
def test_notify_twice_with_the_same_key_creates_one_row_and_sends_one_email(cdmo_pm, project, committed):
    with committed():
        first = _notify([cdmo_pm], subject=project_subject(project))
    with committed():
        second = _notify([cdmo_pm], subject=project_subject(project))

    assert len(first) == 1 and second == []
    assert Notification.objects.filter(recipient=cdmo_pm).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cdmo_pm.email]
    assert mail.outbox[0].subject == "ACM-101: status update due tomorrow"
    row = first[0]
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENT and row.email_attempts == 1 and row.email_sent_at


@pytest.mark.django_db
def test_another_period_is_another_notification(cdmo_pm, committed):
    with committed():
        _notify([cdmo_pm], key="reminder.update_due:project-1:2026-03-04")
        _notify([cdmo_pm], key="reminder.update_due:project-1:2026-03-11")

    assert Notification.objects.filter(recipient=cdmo_pm).count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_each_recipient_gets_their_own_once_even_if_listed_twice(
    cdmo_pm, sponsor_lead, decision_maker, committed
):
    with committed():
        created = _notify([cdmo_pm, sponsor_lead, cdmo_pm, None])
    assert {n.recipient for n in created} == {cdmo_pm, sponsor_lead}

    # A later call that adds a person sends only to the new one.
    with committed():
        again = _notify([cdmo_pm, sponsor_lead, decision_maker])
    assert [n.recipient for n in again] == [decision_maker]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cdmo_pm.email, sponsor_lead.email, decision_maker.email]
    )


@pytest.mark.django_db
def test_the_email_is_rendered_at_creation_and_kept_on_the_row(cdmo_pm, project, committed):
    with committed():
        (row,) = _notify([cdmo_pm], subject=project_subject(project))
    row.refresh_from_db()
    assert row.email_to == cdmo_pm.email
    assert "Hello Lena" in row.email_text
    assert f"{settings.SITE_URL}/projects/1/" in row.email_text  # a full link, from any worker
    assert "Open in Meridian" in row.email_html
    assert "Zanrelimab scale-up" in row.email_html
    message = mail.outbox[0]
    assert message.body == row.email_text
    assert message.alternatives[0][0] == row.email_html
    assert message.extra_headers["X-Meridian-Notification"] == str(row.pk)


@pytest.mark.django_db
def test_a_custom_email_template_is_rendered_in_the_recipients_time_zone(
    cdmo_pm, sponsor_lead, test_email_templates, committed
):
    due_at = dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC)
    with committed():
        _notify(
            [cdmo_pm, sponsor_lead],
            email_template="test-reminder",
            email_context={"thing": "The weekly update", "due_at": due_at},
        )
    by_person = {m.to[0]: m for m in mail.outbox}
    assert by_person[cdmo_pm.email].subject == "Reminder: The weekly update is due 4 Mar 2026 17:00"  # Berlin
    assert "is due at 17:00 CET" in by_person[cdmo_pm.email].body
    assert (
        by_person[sponsor_lead.email].subject == "Reminder: The weekly update is due 4 Mar 2026 11:00"
    )  # New York
    assert "Hello Emily" in by_person[sponsor_lead.email].body


@pytest.mark.django_db
def test_nothing_is_created_or_sent_when_the_callers_transaction_rolls_back(cdmo_pm, committed):
    class Boom(Exception):
        pass

    with committed(), pytest.raises(Boom), transaction.atomic():
        _notify([cdmo_pm])
        raise Boom

    assert not Notification.objects.exists()
    assert mail.outbox == []
    # The key is free again: the next attempt goes through.
    with committed():
        assert len(_notify([cdmo_pm])) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_each_persons_preference_decides_the_email(
    cdmo_pm, sponsor_lead, decision_maker, cdmo_sme, committed
):
    preferences_update(user=sponsor_lead, email_mode=EmailMode.DAILY_DIGEST, digest_hour=7)
    preferences_update(user=decision_maker, email_mode=EmailMode.NONE, digest_hour=7)
    cdmo_sme.is_active = False
    cdmo_sme.save()

    with committed():
        created = {n.recipient_id: n for n in _notify([cdmo_pm, sponsor_lead, decision_maker, cdmo_sme])}

    assert created[cdmo_pm.pk].email_status == EmailStatus.PENDING  # then sent, below
    assert created[sponsor_lead.pk].email_status == EmailStatus.DIGEST
    assert created[decision_maker.pk].email_status == EmailStatus.SKIPPED
    assert created[cdmo_sme.pk].email_status == EmailStatus.SKIPPED
    assert [m.to for m in mail.outbox] == [[cdmo_pm.email]]
    # Nobody is left out in the app.
    assert Notification.objects.filter(read_at__isnull=True).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "Update Published"},
        {"kind": ""},
        {"dedupe_key": ""},
        {"dedupe_key": "x" * 256},
        {"url": "https://evil.example/"},
        {"url": "//evil.example/"},
        {"url": "projects/1/"},
    ],
)
def test_programmer_mistakes_are_refused_loudly(cdmo_pm, bad):
    with pytest.raises(ValueError):
        _notify([cdmo_pm], **bad)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_long_title_is_shortened_not_refused(cdmo_pm):
    (row,) = _notify([cdmo_pm], title="A" * 500)
    assert len(row.title) == 200 and row.title.endswith("…")


@pytest.mark.django_db
def test_nobody_to_tell_is_fine(cdmo_pm):
    assert _notify([]) == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_processes_notifying_at_the_same_moment_create_one_row_and_one_email(cdmo_pm):
    """The second INSERT waits on the first transaction's unique key, then inserts nothing."""
    results: dict[str, list] = {}
    errors = []
    first_inserted = threading.Event()

    def first():
        try:
            with transaction.atomic():
                results["first"] = _notify([cdmo_pm])
                first_inserted.set()
                time.sleep(0.5)  # the second caller checks, renders and blocks on INSERT meanwhile
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(5)
            started = time.monotonic()
            with transaction.atomic():
                results["second"] = _notify([cdmo_pm])
            results["second_waited"] = time.monotonic() - started
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    assert len(results["first"]) == 1 and results["second"] == []
    assert results["second_waited"] > 0.3  # it really waited on the first one's claim
    assert Notification.objects.filter(recipient=cdmo_pm).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_person_can_be_told_general_things_without_a_project(committed):
    person = UserFactory()
    with committed():
        (row,) = notify(
            recipients=[person],
            kind="team.invited",
            dedupe_key=f"team.invited:user-{person.pk}",
            title="Welcome to Meridian",
            body="",
            url="",
        )
    assert row.subject is None
    assert mail.outbox[0].subject == "Welcome to Meridian"
    assert "/notifications/" in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("how_many", [2, 12])
def test_notify_makes_the_same_few_queries_for_any_number_of_recipients(
    project, django_assert_num_queries, how_many
):
    from tests.factories.projects import ProjectMemberFactory

    people = [ProjectMemberFactory(project=project).user for _ in range(how_many)]
    # who has it already, their preferences, one INSERT … RETURNING, the outbox row for the emails
    with django_assert_num_queries(4):
        created = _notify(people, subject=project_subject(project))
    assert len(created) == how_many
