"""The Celery application.

Every task is a `portal.core.task_base.PortalTask` (audit context, outbox bookkeeping, one retry
policy); it is named here as a string so Celery builds the classes once Django is ready.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="portal.core.task_base:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
