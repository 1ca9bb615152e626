"""Background work for notifications. Thin: each task calls one service.

Beat runs the periodic ones (see CELERY_BEAT_SCHEDULE in settings); every one of
them is safe to run in several processes at once.
"""

from django.db import transaction

from portal.core.queue import enqueue_on_commit
from portal.core.task_base import PermanentTaskError
from portal.core.tasks import task

from . import delivery, digests
from .models import Notification
from .services import DELIVER, QUEUE_DELIVERIES


@task(name=DELIVER, bind=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """Send one notification's email (once, however often this task is queued)."""
    try:
        outcome = delivery.deliver_email(notification_id=notification_id)
    except delivery.DeliveryDeferred as deferred:
        # Attempts are counted on the row, not here: the row decides when to give up.
        raise self.retry(countdown=deferred.retry_in, exc=deferred) from deferred
    if outcome == delivery.FAILED:
        # Recorded on the notification; failing the task too tells staff and the person who acted.
        error = Notification.objects.filter(pk=notification_id).values_list("email_last_error", flat=True)
        raise PermanentTaskError(f"The email could not be sent: {error.first() or 'unknown error'}")
    return outcome


@task(name=QUEUE_DELIVERIES)
def queue_deliveries_task(notification_ids: list[int]) -> int:
    """Fan out: one delivery task per email (each in the outbox), so each is retried on its own."""
    with transaction.atomic():
        for notification_id in notification_ids:
            enqueue_on_commit(DELIVER, notification_id)
    return len(notification_ids)


@task(name="notifications.deliver_pending")
def deliver_pending() -> int:
    return len(delivery.queue_due_deliveries())


@task(name="notifications.recover_stuck_deliveries")
def recover_stuck_deliveries() -> int:
    return len(delivery.recover_stuck_deliveries())


@task(name="notifications.send_digests")
def send_digests() -> int:
    return len(digests.send_digests())
