"""Admin building blocks shared by the apps."""

from django.contrib import admin


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
