from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "oversight.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring and red flags"
