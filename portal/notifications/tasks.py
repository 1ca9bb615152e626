"""Background work for notifications. Thin: each task calls one service.

Beat runs the periodic ones (see CELERY_BEAT_SCHEDULE in settings); every one of
them is safe to run in several processes at once.
"""

from celery import shared_task

from . import delivery, digests


@shared_task(bind=True, name="notifications.deliver", max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """Send one notification's email (once, however often this task is queued)."""
    try:
        return delivery.deliver_email(notification_id=notification_id)
    except delivery.DeliveryDeferred as deferred:
        # Attempts are counted on the row, not here: the row decides when to give up.
        raise self.retry(countdown=deferred.retry_in, exc=deferred) from deferred


@shared_task(name="notifications.queue_deliveries")
def queue_deliveries_task(notification_ids: list[int]) -> int:
    """Fan out: one delivery task per email, so each is retried on its own."""
    for notification_id in notification_ids:
        deliver_notification.delay(notification_id)
    return len(notification_ids)


@shared_task(name="notifications.deliver_pending")
def deliver_pending() -> int:
    return len(delivery.queue_due_deliveries())


@shared_task(name="notifications.recover_stuck_deliveries")
def recover_stuck_deliveries() -> int:
    return len(delivery.recover_stuck_deliveries())


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    return len(digests.send_digests())
