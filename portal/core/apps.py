from django.apps import AppConfig
from django.conf import settings
from django.db import connections, transaction
from django.db.models.signals import post_migrate

from .database import grant_app_role, install_attach_context, install_trigger_switch_guard
from .triggers import refuse_truncate_where_delete_is_refused


def after_migrate(*, using: str, **kwargs) -> None:
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        install_attach_context(connection=connection)
        install_trigger_switch_guard(cursor=cursor, app_role=settings.DATABASE_APP_ROLE)
        # One transaction: the running app never sees a table between REVOKE and GRANT.
        grant_app_role(cursor=cursor, role=settings.DATABASE_APP_ROLE)


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        # Every table whose rows may not be deleted may not be truncated either.
        refuse_truncate_where_delete_is_refused()
        # post_migrate is sent once per app: run after ours, i.e. after pghistory's own step.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="portal.core.after_migrate")
