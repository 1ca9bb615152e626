"""Writes: create notifications (the one door), read state, preferences.

Every part of the portal tells people things through `notify()`:

    from portal.notifications.services import notify

    notify(
        recipients=[pm],
        kind="reminder.update_due",
        dedupe_key=f"reminder.update_due:project-{project.pk}:{project.next_update_due}",
        title=f"{project.code}: status update due tomorrow",
        body="The agreed cadence is weekly; the next update is due on 4 March.",
        url=project.get_absolute_url(),
        subject=project_subject(project),  # projects.notifications
    )

Calling it again with the same key (a second worker, a re-run sweep, a retried
task) creates nothing and sends nothing. Put the period in the key ("…:2026-03-04",
"…:week-10") when the same thing may be told again later.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from portal.accounts.models import User
from portal.core.audit import audited
from portal.core.emails import render_email
from portal.core.queue import enqueue_on_commit
from portal.core.timezones import zone_or_utc

from .models import EmailMode, EmailStatus, Notification, NotificationAttachment, NotificationPreference
from .selectors import email_mode_of, get_notification_for_recipient, preferences_by_user
from .subjects import NO_SUBJECT, Subject

logger = logging.getLogger(__name__)

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
GENERIC_TEMPLATE = "notification"
INSERT_BATCH = 1000
# The delivery tasks (tasks.py), queued by name: the tasks call this module, not the other way.
DELIVER = "notifications.deliver"
QUEUE_DELIVERIES = "notifications.queue_deliveries"


@dataclass(frozen=True)
class Attachment:
    """A file to send with the email: a calendar entry ("text/calendar; method=REQUEST"), a PDF."""

    filename: str
    content: bytes
    mimetype: str


def excerpt(text: str, length: int = 240) -> str:
    """`text` as one line of at most `length` characters, for a notification body."""
    return Truncator(" ".join((text or "").split())).chars(length)


@dataclass(frozen=True)
class Notice:
    """One thing to tell some people: the arguments of `notify()`, for `notify_many()`."""

    recipients: Iterable[User]
    kind: str
    dedupe_key: str
    title: str
    body: str
    url: str
    subject: Subject | None = None
    email_template: str | None = None
    email_context: dict | None = None
    email: bool = True
    always_email: bool = False
    attachments: Sequence[Attachment] = ()


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    dedupe_key: str,
    title: str,
    body: str,
    url: str,
    subject: Subject | None = None,
    email_template: str | None = None,
    email_context: dict | None = None,
    email: bool = True,
    always_email: bool = False,
    attachments: Sequence[Attachment] = (),
) -> list[Notification]:
    """Tell `recipients` something, in the app and by email, at most once per (recipient, key).

    - `kind`: a dotted slug ("update.published", "flag.raised", "reminder.update_due").
    - `dedupe_key`: "<rule>:<object>:<period>"; the database keeps one notification per
      recipient and key, so repeating the call is safe from any number of processes.
    - `title` (one line) and `body` (short plain text) show in the app and in the
      generic email; `url` is a path on this site ("/projects/12/updates/3/").
    - `email_template`/`email_context`: a subject/text/HTML template triple under
      templates/emails/ and its context, rendered now for each recipient in their
      time zone (the context also gets `recipient`, `title`, `body`, `url`,
      `action_url`, `subject`). Without one, the generic `emails/notification-*`.
    - `subject`: what it is about (a `Subject`, built by the app that owns it), shown with it
      and grouping it in the digest; None for general news.
    - `email=False`: the bell only (used for news about email itself, which must not loop).
    - `always_email=True`: emailed at once whatever the person chose (digest or none), for what
      only works as an email of its own: a calendar invitation. Dedupe and the bell still apply.
    - `attachments`: files the email carries (stored with it; a digest carries none, so send
      them with `always_email=True`).

    Returns the notifications this call created (an empty list when they all existed).
    Emails are queued after the surrounding transaction commits; if the caller's
    transaction rolls back, nothing was created and nothing is sent. Each person's
    preference decides the email: immediate, in the daily digest, or none.
    """
    return notify_many(
        [
            Notice(
                recipients=recipients,
                kind=kind,
                dedupe_key=dedupe_key,
                title=title,
                body=body,
                url=url,
                subject=subject,
                email_template=email_template,
                email_context=email_context,
                email=email,
                always_email=always_email,
                attachments=attachments,
            )
        ]
    )


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """`notify()` for many notices at once, with the same few queries however many there are:
    who has them already, the recipients' preferences, one INSERT … ON CONFLICT DO NOTHING per
    INSERT_BATCH rows, the attachments (if any) and one outbox row for all the emails.

    Each (recipient, dedupe key) is told at most once, exactly as `notify()` would; run it inside
    the caller's transaction so that the notifications and what the caller records about them
    commit together.
    """
    notices = [(notice, _unique_people(notice.recipients)) for notice in notices]
    for notice, _people in notices:
        _check_arguments(kind=notice.kind, dedupe_key=notice.dedupe_key, url=notice.url)
    notices = [(notice, people) for notice, people in notices if people]
    if not notices:
        return []
    # Who has it already? Only saves rendering emails for them: the INSERT below decides.
    already = set(
        Notification.objects.filter(
            dedupe_key__in={notice.dedupe_key for notice, _people in notices},
            recipient__in={person.pk for _notice, people in notices for person in people},
        ).values_list("recipient_id", "dedupe_key")
    )
    notices = [
        (notice, [person for person in people if (person.pk, notice.dedupe_key) not in already])
        for notice, people in notices
    ]
    notices = [(notice, people) for notice, people in notices if people]
    if not notices:
        return []

    preferences = preferences_by_user(user_ids=list({p.pk for _notice, people in notices for p in people}))
    now = timezone.now()
    preferences_url = _preferences_url()
    rows, attachments = [], {}
    for notice, people in notices:
        title = shorten(notice.title.strip(), 200)
        for person in people:
            mode = email_mode_of(preferences.get(person.pk))
            row = _row(notice, title, person, mode, now, preferences_url=preferences_url)
            rows.append(row)
            attachments[(person.pk, notice.dedupe_key)] = notice.attachments

    created = insert_claimed(rows)
    NotificationAttachment.objects.bulk_create(
        NotificationAttachment(
            notification=row, filename=item.filename, mimetype=item.mimetype, content=item.content
        )
        for row in created
        if row.email_status == EmailStatus.PENDING
        for item in attachments[(row.recipient_id, row.dedupe_key)]
    )
    queue_deliveries([row.pk for row in created if row.email_status == EmailStatus.PENDING])
    return created


def _row(notice: Notice, title: str, person: User, preferred_mode: str, now, *, preferences_url: str):
    """The notification of `notice` for one person, its email rendered if it goes out at once."""
    mode = EmailMode.IMMEDIATE if notice.always_email else preferred_mode
    status = _initial_email_status(person, mode) if notice.email else EmailStatus.SKIPPED
    row = Notification(
        recipient=person,
        **(notice.subject.as_fields() if notice.subject else NO_SUBJECT),
        kind=notice.kind,
        dedupe_key=notice.dedupe_key,
        title=title,
        body=notice.body.strip(),
        url=notice.url,
        created_at=now,
        email_status=status,
        email_next_attempt_at=now,
    )
    if status == EmailStatus.PENDING:
        row.email_to = person.email
        row.email_subject, row.email_text, row.email_html = render_notification_email(
            recipient=person,
            template=notice.email_template,
            context=notice.email_context,
            title=title,
            body=row.body,
            url=notice.url,
            subject=notice.subject,
            preferences_url=preferences_url,
        )
    return row


def _check_arguments(*, kind: str, dedupe_key: str, url: str) -> None:
    # Programmer errors: fail loudly in the caller's tests, not silently in production.
    if not KIND_PATTERN.match(kind or "") or len(kind) > 64:
        raise ValueError(f"notify(kind={kind!r}): use a dotted lowercase slug like 'update.published'.")
    if not dedupe_key or len(dedupe_key) > 255:
        raise ValueError("notify(dedupe_key=...) must be 1–255 characters: '<rule>:<object>:<period>'.")
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError(f"notify(url={url!r}) must be a path on this site, starting with '/'.")


def _unique_people(recipients: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        people.append(person)
    return people


def _initial_email_status(person: User, email_mode: str) -> str:
    if not person.is_active or not person.email or email_mode == EmailMode.NONE:
        return EmailStatus.SKIPPED
    if email_mode == EmailMode.DAILY_DIGEST:
        return EmailStatus.DIGEST
    return EmailStatus.PENDING


def zone_of(user: User) -> zoneinfo.ZoneInfo:
    return zone_or_utc(user.time_zone)


def render_notification_email(
    *,
    recipient: User,
    template: str | None,
    context: dict | None,
    title: str,
    body: str,
    url: str,
    subject: Subject | None = None,
    preferences_url: str | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) for one person, with dates and times shown in their zone.
    `preferences_url`: `_preferences_url()`, when the caller renders many at once."""
    full_context = {
        "title": title,
        "body": body,
        "url": url,
        "action_url": f"{settings.SITE_URL}{url or reverse('notifications:list')}",
        "subject": subject,
        "preferences_url": preferences_url or _preferences_url(),
        **(context or {}),
        "recipient": recipient,
    }
    with timezone.override(zone_of(recipient)):
        subject, text, html = render_email(template or GENERIC_TEMPLATE, full_context)
    return shorten(subject, 300), text, html


def _preferences_url() -> str:
    return f"{settings.SITE_URL}{reverse('notifications:preferences')}"


def shorten(text: str, length: int) -> str:
    """`Truncator(text).chars(length)`, without its cost for the many texts that fit already."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def insert_claimed(rows: list[Notification]) -> list[Notification]:
    """INSERT the rows; the ones whose (recipient, dedupe_key) exists already are skipped.

    Returns the rows this statement created, with their primary keys. This is the
    claim: `INSERT … ON CONFLICT DO NOTHING RETURNING` tells each caller exactly
    which rows are theirs, even when two transactions insert the same key at once
    (the second waits for the first to commit, then inserts nothing).
    """
    if not rows:
        return []
    # Always insert in the same order, so two transactions claiming overlapping sets of
    # recipients wait for each other instead of deadlocking.
    rows = sorted(rows, key=lambda row: (row.recipient_id, row.dedupe_key))
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # One array per column, unnested into rows: a statement of a few parameters whatever the
    # number of rows (thousands of placeholders cost more to send than the rows themselves).
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({', '.join(f'%s::{f.db_type(connection)}[]' for f in fields)}) "
        f"ON CONFLICT ({quote('recipient_id')}, {quote('dedupe_key')}) DO NOTHING "
        f"RETURNING {quote('id')}, {quote('recipient_id')}, {quote('dedupe_key')}"
    )
    by_claim = {(row.recipient_id, row.dedupe_key): row for row in rows}
    created = []
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        params = [[f.get_db_prep_save(f.pre_save(row, True), connection) for row in batch] for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            returned = cursor.fetchall()
        for pk, recipient_id, dedupe_key in returned:
            row = by_claim[(recipient_id, dedupe_key)]
            row.pk = pk
            row._state.adding = False
            created.append(row)
    return created


def queue_deliveries(notification_ids: list[int]) -> None:
    """Queue the emails after commit. Several go out as one message that fans out in a
    worker, so a page that notifies ten people makes one broker call, not ten (which
    matters when the broker is down: each failed call costs the page a moment)."""
    if len(notification_ids) == 1:
        enqueue_on_commit(DELIVER, notification_ids[0])
    elif notification_ids:
        enqueue_on_commit(QUEUE_DELIVERIES, list(notification_ids))


# --- read state ------------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the person's own notifications read (404 for anyone else's). Idempotent."""
    notification = get_notification_for_recipient(user=user, notification_id=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- preferences -----------------------------------------------------------------------------------


def preferences_update(*, user: User, email_mode: str, digest_hour: int) -> NotificationPreference:
    """Save how the person wants their emails.

    Emails already waiting for a digest: with "no emails" they are dropped (marked
    skipped); switching to immediate sends them in one last digest at the next hourly run.
    """
    if email_mode not in EmailMode.values:
        raise ValueError(f"Unknown email mode {email_mode!r}.")
    if not 0 <= digest_hour <= 23:
        raise ValueError("The digest hour is 0–23.")
    with transaction.atomic(), audited("Notification preferences changed"):
        preference, _ = NotificationPreference.objects.update_or_create(
            user=user, defaults={"email_mode": email_mode, "digest_hour": digest_hour}
        )
        if email_mode == EmailMode.NONE:
            Notification.objects.filter(recipient=user, email_status=EmailStatus.DIGEST).update(
                email_status=EmailStatus.SKIPPED
            )
    return preference
