"""Email delivery: each notification's email sent once, retried when the provider fails.

The row's `email_status` is the state machine; every transition is a
compare-and-set UPDATE, so any number of workers can be handed the same
notification and only one of them sends it:

    pending ──claim──▶ sending ──▶ sent
       ▲                  │ provider failed: back to pending, retried later with backoff
       └──────────────────┘ (after MAX_ATTEMPTS: failed)

Each delivery task travels through the outbox (portal/core/queue.py), whose relay re-sends it
when it is lost or its worker dies. A worker that died in the middle of a send leaves the row
"sending": once it has been so for STUCK_AFTER (75 s, well above the SMTP timeout) the next
delivery task may claim it again, so the relay's re-send (within lease + relay period) sends it.
Two periodic safety nets cover what no task carries any more:
- `queue_due_deliveries` queues pending emails that are overdue;
- `recover_stuck_deliveries` (every 30 s) puts back emails a worker claimed and then died on.
A claimed email a killed worker left is therefore retried within two minutes.

The one window we cannot close: the provider accepted the message and the
worker died before it recorded "sent". Recovery then sends it again (at least
once, never zero times). The window is the few milliseconds between the SMTP
reply and the UPDATE; no protocol can make an SMTP send and a database write atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.core.emails import attachment, build_message
from portal.core.queue import enqueue_on_commit

from .models import EmailStatus, Notification
from .services import DELIVER

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# The SMTP connection times out after this many seconds, far below the stuck threshold
# (settings.NOTIFICATION_STUCK_AFTER_SECONDS, 75 s), so a live worker is never taken for dead.
SEND_TIMEOUT_SECONDS = 20
# Pending this long past its due time: whatever should have queued it did not.
QUEUE_GRACE = dt.timedelta(minutes=1)
# After the safety net queues an email, it looks at it again only after this long.
REQUEUE_AFTER = dt.timedelta(minutes=5)
SAFETY_NET_BATCH = 500
# The provider refused the address itself: retrying will not help.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)

# What deliver_email() did, for logs and tests.
SENT = "sent"
SKIPPED = "skipped"
FAILED = "failed"
NOT_CLAIMED = "not_claimed"


class DeliveryDeferred(Exception):
    """The provider failed; the email is pending again and should be retried in `retry_in` seconds."""

    def __init__(self, notification_id: int, retry_in: float, error: str):
        super().__init__(f"Notification {notification_id}: {error} (retry in {retry_in:g}s)")
        self.notification_id = notification_id
        self.retry_in = retry_in


def retry_backoff_seconds(attempt: int) -> float:
    """Exponential backoff after the `attempt`-th failed try: 1, 2, 4, 8, 16 minutes by default."""
    factor = float(getattr(settings, "NOTIFICATION_RETRY_BACKOFF_SECONDS", 60))
    return min(3600.0, factor * 2 ** max(attempt - 1, 0))


def stuck_after() -> dt.timedelta:
    """Claimed longer ago than this and still "sending": the worker died."""
    return dt.timedelta(seconds=float(getattr(settings, "NOTIFICATION_STUCK_AFTER_SECONDS", 75)))


def _send_timeout() -> float:
    configured = getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT_SECONDS
    return min(float(configured), SEND_TIMEOUT_SECONDS)


def deliver_email(*, notification_id: int) -> str:
    """Send the notification's email if it is pending and nobody else has claimed it.

    Returns what happened (SENT, SKIPPED, FAILED or NOT_CLAIMED). Raises
    DeliveryDeferred when the provider failed and the email should be tried again;
    the row is then pending with the error recorded. See the module docstring for
    the one at-least-once window.
    """
    now = timezone.now()
    claimable = Q(email_status=EmailStatus.PENDING) | Q(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - stuck_after()
    )
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=now,
        email_attempts=F("email_attempts") + 1,
    )
    if not claimed:
        # Another worker has it, or it went out already (a duplicate task): nothing to do.
        return NOT_CLAIMED

    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        Notification.objects.filter(pk=notification_id).update(
            email_status=EmailStatus.SKIPPED,
            email_last_error="The person's account was deactivated before the email went out.",
        )
        return SKIPPED

    message = build_message(
        subject=notification.email_subject,
        text=notification.email_text,
        html=notification.email_html,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Meridian-Notification": str(notification.pk)},
        attachments=[
            attachment(item.filename, bytes(item.content), item.mimetype)
            for item in notification.attachments.all()
        ],
        connection=get_connection(timeout=_send_timeout()),
    )
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any provider failure is recorded on the row
        return _record_failure(notification, error)

    # Unconditional on purpose: if recovery put the row back meanwhile, "sent" is still the truth.
    Notification.objects.filter(pk=notification_id).update(
        email_status=EmailStatus.SENT,
        email_sent_at=timezone.now(),
        email_to=recipient.email,
        email_last_error="",
    )
    return SENT


def _record_failure(notification: Notification, error: Exception) -> str:
    attempts = notification.email_attempts
    description = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, PERMANENT_ERRORS) or attempts >= MAX_ATTEMPTS:
        Notification.objects.filter(pk=notification.pk, email_status=EmailStatus.SENDING).update(
            email_status=EmailStatus.FAILED, email_last_error=description
        )
        logger.error(
            "Email for notification %s failed after %s attempt(s): %s", notification.pk, attempts, description
        )
        return FAILED
    retry_in = retry_backoff_seconds(attempts)
    Notification.objects.filter(pk=notification.pk, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.PENDING,
        email_claimed_at=None,
        email_last_error=description,
        email_next_attempt_at=timezone.now() + dt.timedelta(seconds=retry_in),
    )
    logger.warning(
        "Email for notification %s failed (attempt %s); retrying: %s", notification.pk, attempts, description
    )
    raise DeliveryDeferred(notification.pk, retry_in, description) from error


def queue_due_deliveries(*, now: dt.datetime | None = None) -> list[int]:
    """Queue pending emails that are overdue: nothing is lost when the broker was down at
    commit time (the row waited in PostgreSQL) or a queued task vanished.

    Queuing an email twice is harmless (the claim lets one task send it), so this may
    run in any number of processes at once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Notification.objects.filter(
                email_status=EmailStatus.PENDING, email_next_attempt_at__lte=now - QUEUE_GRACE
            )
            .order_by("email_next_attempt_at")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:SAFETY_NET_BATCH]
        )
        if due:
            Notification.objects.filter(pk__in=due).update(email_next_attempt_at=now + REQUEUE_AFTER)
            for notification_id in due:
                enqueue_on_commit(DELIVER, notification_id)
    if due:
        logger.info("Queued %s overdue notification email(s)", len(due))
    return due


def recover_stuck_deliveries(*, now: dt.datetime | None = None) -> list[int]:
    """Put back emails a worker claimed and then died on (still "sending" after stuck_after()),
    and queue them again. An email whose sends kept killing workers is marked failed."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Notification.objects.filter(
                email_status=EmailStatus.SENDING, email_claimed_at__lt=now - stuck_after()
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", "email_attempts")[:SAFETY_NET_BATCH]
        )
        give_up = [pk for pk, attempts in stuck if attempts >= MAX_ATTEMPTS]
        again = [pk for pk, attempts in stuck if attempts < MAX_ATTEMPTS]
        if give_up:
            Notification.objects.filter(pk__in=give_up, email_status=EmailStatus.SENDING).update(
                email_status=EmailStatus.FAILED,
                email_last_error=f"Workers stopped while sending this email {MAX_ATTEMPTS} times; gave up.",
            )
        if again:
            Notification.objects.filter(pk__in=again, email_status=EmailStatus.SENDING).update(
                email_status=EmailStatus.PENDING,
                email_claimed_at=None,
                email_next_attempt_at=now,
                email_last_error="The worker sending this email stopped before it finished; sending it again.",
            )
            for notification_id in again:
                enqueue_on_commit(DELIVER, notification_id)
    if stuck:
        logger.warning(
            "Recovered %s email(s) left by a stopped worker (%s given up)", len(again), len(give_up)
        )
    return again


def retry_failed_deliveries(*, notification_ids: list[int]) -> int:
    """Staff action: try failed emails again from scratch (after fixing the mail settings)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(pk__in=notification_ids, email_status=EmailStatus.FAILED)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            email_status=EmailStatus.PENDING,
            email_attempts=0,
            email_claimed_at=None,
            email_next_attempt_at=now,
        )
        for notification_id in ids:
            enqueue_on_commit(DELIVER, notification_id)
    return len(ids)
