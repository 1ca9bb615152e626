"""The delivery task, queued through the outbox by name (listeners.DELIVER) with the delivery."""

from portal.core.tasks import task

from . import sending


class DeliveryFailed(Exception):
    """The endpoint did not take the delivery; another attempt is due (the log says why)."""


# The attempts are counted on the delivery (WEBHOOK_MAX_ATTEMPTS); Celery's own cap is only a
# backstop for unexpected errors (a database outage), above any attempts setting in use.
@task(name="integration.webhooks.tasks.deliver", bind=True, max_retries=30)
def deliver(self, delivery_id: int) -> None:
    """One attempt; on failure the same outbox row comes back after the back-off (PortalTask's
    retry keeps the row pending with a lease past the countdown, so the relay covers a lost
    retry message). Idempotent: a delivered delivery is never claimed again."""
    wait = sending.attempt(delivery_id)
    if wait is not None:
        raise self.retry(countdown=wait, exc=DeliveryFailed(f"Webhook delivery {delivery_id} failed"))
