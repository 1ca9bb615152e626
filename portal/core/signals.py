"""Signals the foundation sends and higher layers connect to in their AppConfig.ready()."""

from django.dispatch import Signal

# A background task cannot succeed (a permanent error, or its retries ran out). Sent with
# `task`: the failed OutboxTask row (error, task name, `triggered_by`). Staff see the row in
# the admin; portal.notifications tells the person who triggered it.
background_task_failed = Signal()

# Something a project's health is judged on changed (a milestone's forecast, a meeting's status,
# an action item done, a question answered...). Sent with `project_id` by the services whose
# writes bypass model saves (compare-and-set UPDATEs); saves of the watched models are caught
# by the listener itself. oversight.monitoring re-evaluates the project's flags after commit.
project_data_changed = Signal()

# Something a customer's own systems may want to hear about happened on a project (an update
# published, a decision requested, a flag raised...; the names are `portal.core.events.EVENTS`).
# Sent with `events`: a list of `portal.core.events.DomainEvent`, by the service that made the
# change, inside its transaction, so whoever listens writes its own rows in that transaction
# (integration.webhooks queues one signed delivery per matching subscription; a rollback
# drops them with the change). Send it through `portal.core.events.emit()`.
domain_event = Signal()
