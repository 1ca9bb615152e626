from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "integration.api"
    label = "api"
    verbose_name = "Read API"
    default_auto_field = "django.db.models.BigAutoField"
