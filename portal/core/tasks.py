"""The one way to declare background work, and the foundation's own task.

Every tasks.py declares its tasks with `@task(name=...)`:

    from portal.core.tasks import task

    @task(name="projects.tasks.notify_update_published")
    def notify_update_published(update_id: int) -> None:
        ...

and queues them with `portal.core.queue.enqueue_on_commit(task_or_name, *args)`. Every task is a
`portal.core.task_base.PortalTask`: audit context, outbox bookkeeping and the one retry policy
(exponential back-off for errors worth retrying, none for permanent ones). The name is what the
outbox rows and the beat schedule (CELERY_BEAT_SCHEDULE in settings) refer to: never rename one.
"""

from celery import shared_task

from . import queue


def task(*, name: str, **options):
    """Declare a background task named `name` (options as Celery's, e.g. `bind=True`)."""
    return shared_task(name=name, **options)


@task(name="core.relay_outbox")
def relay_outbox() -> int:
    """Send again the background work whose lease ran out (lost with Redis, or a dead worker's)."""
    return queue.relay_outbox()
