"""The Celery application.

Every task runs inside a pghistory context naming the task as the actor, so
changes a worker makes show up in the audit trail as "task: <name>".
"""

import os

import pghistory
from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class AuditedTask(Task):
    def __call__(self, *args, **kwargs):
        with pghistory.context(actor=f"task:{self.name}", task_id=self.request.id):
            return super().__call__(*args, **kwargs)


app = Celery("portal", task_cls=AuditedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
