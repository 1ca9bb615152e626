from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import Flag


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["kind", "project", "severity", "explanation", "raised_at", "cleared_at"]
    list_filter = ["kind", "severity", ("cleared_at", admin.EmptyFieldListFilter)]
    search_fields = ["explanation", "project__code", "project__name"]
    list_select_related = ["project"]
    readonly_fields = [f.name for f in Flag._meta.fields]
