from celery import shared_task

from . import queue


@shared_task(name="core.send_pending_tasks")
def send_pending_tasks() -> int:
    """Queue the background work kept in the database while the broker was down."""
    return queue.send_pending_tasks()
