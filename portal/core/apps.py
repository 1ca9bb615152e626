from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from .database import install_attach_context
from .triggers import refuse_truncate_where_delete_is_refused


def after_migrate(*, using: str, **kwargs) -> None:
    install_attach_context(connection=connections[using])


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        # Every table whose rows may not be deleted may not be truncated either.
        refuse_truncate_where_delete_is_refused()
        # Sent once per app: run once, after the last app (ours are later than pghistory's).
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="portal.core.after_migrate")
