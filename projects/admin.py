from django.contrib import admin

from .models import Project, ProjectMember


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "side", "role", "is_point_of_contact", "removed_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sponsor", "cdmo", "phase", "modality", "status", "start_date"]
    list_filter = ["status", "phase", "modality", "cdmo", "sponsor"]
    search_fields = ["code", "name", "sponsor__name", "cdmo__name"]
    list_select_related = ["sponsor", "cdmo"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProjectMemberInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProjectMember)
class ProjectMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "side", "role", "is_point_of_contact", "removed_at"]
    list_filter = ["side", "role", "is_point_of_contact"]
    search_fields = ["user__email", "user__full_name", "project__code", "project__name"]
    list_select_related = ["user", "project"]
    autocomplete_fields = ["user", "project"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
