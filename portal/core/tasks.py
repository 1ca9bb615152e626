from celery import shared_task

from . import queue


@shared_task(name="core.relay_outbox")
def relay_outbox() -> int:
    """Send again the background work whose lease ran out (lost with Redis, or a dead worker's)."""
    return queue.relay_outbox()
