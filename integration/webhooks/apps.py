from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "integration.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from portal.core.signals import domain_event

        from . import listeners, tasks  # noqa: F401 - the delivery task is queued by name

        # The domain apps send their events inside their transactions (portal/core/events.py).
        domain_event.connect(listeners.on_domain_event, dispatch_uid="webhooks.deliveries")
