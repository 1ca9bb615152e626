"""Signals the foundation sends and higher layers connect to in their AppConfig.ready()."""

from django.dispatch import Signal

# A background task cannot succeed (a permanent error, or its retries ran out). Sent with
# `task`: the failed OutboxTask row (error, task name, `triggered_by`). Staff see the row in
# the admin; portal.notifications tells the person who triggered it.
background_task_failed = Signal()
