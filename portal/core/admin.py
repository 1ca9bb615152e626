"""Admin building blocks shared by the apps."""

from django.contrib import admin

from .models import OutboxTask


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


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Background work, failed first when filtered by status: what failed, why, and for whom."""

    list_display = ["created_at", "task_name", "args", "status", "sends", "runs", "triggered_by", "error"]
    list_filter = ["status", "task_name", ("triggered_by", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "error", "triggered_by__email"]
    list_select_related = ["triggered_by"]
    date_hierarchy = "created_at"
