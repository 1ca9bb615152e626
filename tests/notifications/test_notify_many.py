"""notify_many(): many notices in one go, each told exactly as notify() would tell it."""

import pytest
from django.core import mail

from portal.notifications.models import EmailMode, EmailStatus, Notification
from portal.notifications.services import Notice, notify, notify_many, preferences_update
from projects.notifications import project_subject
from tests.factories.organizations import UserFactory

# What a notification says and how its email goes; the key and the moment differ by design.
COMPARED = [
    "recipient_id",
    "subject_type",
    "subject_id",
    "subject_code",
    "subject_name",
    "kind",
    "title",
    "body",
    "url",
    "email_status",
    "email_to",
    "email_subject",
    "email_text",
    "email_html",
]


def _notice(recipients, key, **extra):
    return Notice(
        recipients=recipients,
        kind="flag.raised",
        dedupe_key=key,
        title="  ACM-101: Action item overdue – Send the CoA draft  ",
        body="Action “Send the CoA draft” (Lena Hoffmann) was due 15 Nov 2026, 3 days ago. ",
        url="/monitoring/projects/1/",
        **extra,
    )


def _fields(rows):
    return sorted(tuple(getattr(row, name) for name in COMPARED) for row in rows)


@pytest.mark.django_db
def test_each_recipient_gets_what_notify_would_give_them(
    project, cdmo_pm, sponsor_lead, decision_maker, cdmo_sme, committed
):
    preferences_update(user=sponsor_lead, email_mode=EmailMode.DAILY_DIGEST, digest_hour=7)
    preferences_update(user=decision_maker, email_mode=EmailMode.NONE, digest_hour=7)
    cdmo_sme.is_active = False
    cdmo_sme.save()
    people = [cdmo_pm, sponsor_lead, decision_maker, cdmo_sme, cdmo_pm, None]
    subject = project_subject(project)

    with committed():
        one = _notice(people, "flag:1:week-0", subject=subject)
        by_notify = notify(**{name: getattr(one, name) for name in one.__dataclass_fields__})
    emails_by_notify = [(m.to, m.subject, m.body) for m in mail.outbox]
    mail.outbox.clear()
    with committed():
        by_many = notify_many([_notice(people, "flag:2:week-0", subject=subject)])

    assert len(by_many) == 4
    assert _fields(by_many) == _fields(by_notify)
    stored = Notification.objects.filter
    assert _fields(stored(dedupe_key="flag:2:week-0")) == _fields(stored(dedupe_key="flag:1:week-0"))
    statuses = {row.recipient_id: row.email_status for row in by_many}
    assert statuses == {
        cdmo_pm.pk: EmailStatus.PENDING,
        sponsor_lead.pk: EmailStatus.DIGEST,
        decision_maker.pk: EmailStatus.SKIPPED,
        cdmo_sme.pk: EmailStatus.SKIPPED,
    }
    assert (
        [(m.to, m.subject, m.body) for m in mail.outbox]
        == emails_by_notify
        == [([cdmo_pm.email], "ACM-101: Action item overdue – Send the CoA draft", emails_by_notify[0][2])]
    )
    assert (
        Notification.objects.get(dedupe_key="flag:2:week-0", recipient=cdmo_pm).email_status
        == EmailStatus.SENT
    )


@pytest.mark.django_db
def test_the_dedupe_key_holds_across_calls_and_within_one(cdmo_pm, sponsor_lead, committed):
    with committed():
        first = notify_many([_notice([cdmo_pm], "flag:1:week-0"), _notice([cdmo_pm], "flag:1:week-0")])
    with committed():
        again = notify_many(
            [_notice([cdmo_pm, sponsor_lead], "flag:1:week-0"), _notice([cdmo_pm], "flag:1:week-1")]
        )
    assert [(n.recipient, n.dedupe_key) for n in first] == [(cdmo_pm, "flag:1:week-0")]
    assert sorted((n.recipient_id, n.dedupe_key) for n in again) == sorted(
        [(sponsor_lead.pk, "flag:1:week-0"), (cdmo_pm.pk, "flag:1:week-1")]
    )
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cdmo_pm.email, sponsor_lead.email, cdmo_pm.email])


@pytest.mark.django_db
def test_one_bad_notice_refuses_them_all(cdmo_pm):
    with pytest.raises(ValueError, match="dotted lowercase slug"):
        notify_many([_notice([cdmo_pm], "flag:1:week-0"), Notice([cdmo_pm], "Bad Kind", "k", "t", "b", "/")])
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("how_many", [1, 50])
def test_the_same_few_queries_for_any_number_of_notices(
    project, cdmo_pm, sponsor_lead, django_assert_num_queries, how_many
):
    preferences_update(user=sponsor_lead, email_mode=EmailMode.DAILY_DIGEST, digest_hour=7)
    others = [UserFactory(organization=project.cdmo) for _ in range(3)]
    notices = [
        _notice([cdmo_pm, sponsor_lead, others[n % 3]], f"flag:{n}:week-0", subject=project_subject(project))
        for n in range(how_many)
    ]
    # who has them already, the preferences, one INSERT … RETURNING, the outbox row for the emails
    with django_assert_num_queries(4):
        created = notify_many(notices)
    assert len(created) == 3 * how_many
