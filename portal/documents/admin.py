from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "requested_by",
        "organization",
        "status",
        "done",
        "total",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("title", "requested_by__email")
    list_select_related = ("requested_by", "organization")
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
