"""Background work that failed, told to the person whose action asked for it (a bell item).

Connected in NotificationsConfig.ready() to portal.core's `background_task_failed`, so the
foundation records failures without knowing about notifications.
"""

from __future__ import annotations

from celery import current_app
from django.urls import reverse

from portal.accounts.models import User
from portal.core.models import OutboxTask
from portal.core.task_base import PermanentTaskError

from .services import excerpt, notify


def describe(task_name: str) -> str:
    """The first line of the task's docstring ("Send one notification's email…"), else its name."""
    task = current_app.tasks.get(task_name)
    lines = ((task.__doc__ if task is not None else "") or "").strip().splitlines()
    return lines[0].rstrip(".") if lines else task_name


def tell_who_triggered_it(sender, task: OutboxTask, **kwargs) -> None:
    if task.triggered_by_id is None:
        return  # beat's own work: staff see it in the admin list of failed background work
    person = User.objects.filter(pk=task.triggered_by_id, is_active=True).first()
    if person is None:
        return
    prefix = f"{PermanentTaskError.__name__}: "
    reason = (
        task.error[len(prefix) :]
        if task.error.startswith(prefix)
        else "An unexpected error stopped it; the portal's staff can see what happened."
    )
    notify(
        recipients=[person],
        kind="background.failed",
        dedupe_key=f"background.failed:outboxtask-{task.pk}",
        title="Something you did could not be completed in the background",
        body=excerpt(f"{describe(task.task_name)} (reference {task.pk}). {reason}", 400),
        url=reverse("notifications:list"),
        # Bell only: if email is what failed, an email about it would fail too.
        email=False,
    )
