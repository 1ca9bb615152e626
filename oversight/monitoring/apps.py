from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "oversight.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring and red flags"

    def ready(self):
        from projects.tabs import register_tab

        from .listeners import connect

        # A change to what the rules read re-evaluates that project's flags after commit.
        connect()

        # The project header's "N open flags" badge, linking to the project's flags.
        register_tab(
            "flags",
            "open flag",
            "monitoring:project_flags",
            order=80,
            count=lambda page: page["project"].flags.filter(cleared_at__isnull=True).count(),
            badge=True,
        )
