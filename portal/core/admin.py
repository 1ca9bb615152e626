"""Admin building blocks shared by the apps."""

from django.contrib import admin

from .models import PendingTask


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff browse and search; nobody adds, changes or deletes here.

    Every change to these records goes through the services (rights, reasons, emails, the audit
    trail), and records of what happened are never deleted.
    """

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PendingTask)
class PendingTaskAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task_name", "args", "queued_at", "error"]
    list_filter = [("queued_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name"]
    date_hierarchy = "created_at"
