from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from portal.core.signals import background_task_failed

        from . import tasks  # noqa: F401 - registers the delivery tasks, which services queue by name
        from .background import tell_who_triggered_it

        background_task_failed.connect(tell_who_triggered_it, dispatch_uid="notifications.background_failed")
