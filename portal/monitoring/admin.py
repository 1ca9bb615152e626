from django.contrib import admin

from .models import Flag


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "project", "severity", "explanation", "raised_at", "cleared_at"]
    list_filter = ["kind", "severity", ("cleared_at", admin.EmptyFieldListFilter)]
    search_fields = ["explanation", "project__code", "project__name"]
    list_select_related = ["project"]
    readonly_fields = [f.name for f in Flag._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
