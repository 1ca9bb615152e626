"""Daily digests: one email a day listing what a person was told, for those who chose it.

Their notifications appear in the app at once; the emails wait with status
"digest". Every hour `send_digests` finds the people whose local digest hour it is
and sends each one digest. The digest is itself a notification row (kind
"digest.daily", key "digest:<user>:<local date>", never shown in the app) and goes
through the same delivery as any email: claimed, retried, recovered.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.core.emails import render_email
from portal.core.queue import enqueue_on_commit

from .models import DIGEST_KIND, EmailMode, EmailStatus, Notification, NotificationPreference
from .services import DELIVER, insert_claimed, zone_of

logger = logging.getLogger(__name__)

# If beat missed the digest hour (a deploy, an outage), the next runs still send it.
CATCH_UP_HOURS = 3


def digest_key(*, user: User, local_date: dt.date) -> str:
    return f"digest:{user.pk}:{local_date.isoformat()}"


def _preference(user: User) -> NotificationPreference | None:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None


def digest_is_due(*, preference: NotificationPreference | None, local_now: dt.datetime) -> bool:
    """At (or a little after) the person's digest hour. People who left digest mode with
    emails still waiting get them in one last digest at once."""
    if preference is None or preference.email_mode != EmailMode.DAILY_DIGEST:
        return True
    return (local_now.hour - preference.digest_hour) % 24 < CATCH_UP_HOURS


def send_digests(*, now: dt.datetime | None = None) -> list[Notification]:
    """The hourly run: a digest for each person whose digest is due. Safe to run twice in
    the same hour, or in two processes at once: each person gets one digest per local date."""
    now = now or timezone.now()
    waiting = list(
        User.objects.filter(
            pk__in=Notification.objects.filter(email_status=EmailStatus.DIGEST).values("recipient_id")
        ).select_related("notification_preference")
    )
    due: list[tuple[User, dt.date]] = []
    for user in waiting:
        preference = _preference(user)
        if preference is not None and preference.email_mode == EmailMode.NONE:
            # Opted out of email while some waited for a digest: they stay in the app only.
            Notification.objects.filter(recipient=user, email_status=EmailStatus.DIGEST).update(
                email_status=EmailStatus.SKIPPED
            )
            continue
        local_now = now.astimezone(zone_of(user))
        if digest_is_due(preference=preference, local_now=local_now):
            due.append((user, local_now.date()))

    # Today's digest already went out: what came in since waits for tomorrow's. One query.
    keys = {digest_key(user=user, local_date=date) for user, date in due}
    sent_keys = set(
        Notification.objects.filter(kind=DIGEST_KIND, dedupe_key__in=keys).values_list(
            "dedupe_key", flat=True
        )
    )
    digests = []
    for user, local_date in due:
        if digest_key(user=user, local_date=local_date) in sent_keys:
            continue
        digest = send_digest(user=user, local_date=local_date, now=now)
        if digest is not None:
            digests.append(digest)
    if digests:
        logger.info("Queued %s daily digest(s)", len(digests))
    return digests


def send_digest(*, user: User, local_date: dt.date, now: dt.datetime) -> Notification | None:
    """Create and queue today's digest for `user` with everything waiting, or None when
    nothing waits or today's digest exists already.

    The waiting rows are locked, the digest row is claimed by its unique key and the
    rows are switched to "digested" in one transaction: a second run (even at the same
    moment) finds nothing waiting, or finds the key taken and changes nothing.
    """
    with transaction.atomic():
        items = list(
            Notification.objects.filter(recipient=user, email_status=EmailStatus.DIGEST)
            .select_for_update()
            .order_by("created_at", "pk")
        )
        if not items:
            return None
        digest = Notification(
            recipient=user,
            kind=DIGEST_KIND,
            dedupe_key=digest_key(user=user, local_date=local_date),
            title=f"Daily digest for {local_date.day} {local_date:%B %Y}: {len(items)} notification{'s' if len(items) != 1 else ''}",
            url=reverse("notifications:list"),
            created_at=now,
            read_at=now,  # the digest is an email, not something to read in the app
            email_status=EmailStatus.PENDING,
            email_next_attempt_at=now,
            email_to=user.email,
        )
        digest.email_subject, digest.email_text, digest.email_html = render_digest_email(
            user=user, items=items, local_date=local_date
        )
        created = insert_claimed([digest])
        if not created:
            return None
        Notification.objects.filter(
            pk__in=[item.pk for item in items], email_status=EmailStatus.DIGEST
        ).update(email_status=EmailStatus.DIGESTED, digest=digest)
        enqueue_on_commit(DELIVER, digest.pk)
    return digest


def render_digest_email(
    *, user: User, items: list[Notification], local_date: dt.date
) -> tuple[str, str, str]:
    # Grouped by subject (in the order each first appeared), general ones last.
    groups: dict[tuple, list[Notification]] = {}
    for item in items:
        groups.setdefault((item.subject_type, item.subject_id), []).append(item)
    ordered = sorted(groups.values(), key=lambda group: group[0].subject is None)
    context = {
        "recipient": user,
        "items": items,
        "groups": [{"subject": group[0].subject, "items": group} for group in ordered],
        "local_date": local_date,
        "list_url": f"{settings.SITE_URL}{reverse('notifications:list')}",
        "preferences_url": f"{settings.SITE_URL}{reverse('notifications:preferences')}",
    }
    with timezone.override(zone_of(user)):
        return render_email("digest", context)
