from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = "Documents built in the background"

    def ready(self):
        from . import tasks  # noqa: F401 - registers the build task, which services queue by name
