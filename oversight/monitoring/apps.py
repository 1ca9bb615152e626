from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "oversight.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring and red flags"

    def ready(self):
        from projects.overview import register_panel
        from projects.tabs import register_tab

        from . import overview

        # The project header's "N open flags" badge, linking to the project's flags.
        register_tab(
            "flags",
            "open flag",
            "monitoring:project_flags",
            order=80,
            count=lambda page: page["project"].flags.filter(cleared_at__isnull=True).count(),
            badge=True,
        )
        register_panel(
            "flags", order=20, template="monitoring/_overview_panel.html", context=overview.open_flags_panel
        )
