from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import (
    ChangeOption,
    ChangeRequest,
    DecisionOption,
    DecisionRequest,
    Milestone,
    Project,
    ProjectMember,
    StatusUpdate,
)


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


# Milestones, status updates and decisions are read-only for portal staff.
@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "kind", "baseline_date", "forecast_date", "actual_date", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "project__code"]
    list_select_related = ["project"]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "project",
        "period_end",
        "overall_rag",
        "status",
        "revision_number",
        "published_at",
    ]
    list_filter = ["status", "overall_rag"]
    search_fields = ["title", "project__code"]
    list_select_related = ["project"]


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never added, changed or deleted here: options are
    append-only (database triggers refuse an UPDATE or DELETE of them), and written by the
    services with the request they belong to."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DecisionOptionInline(ReadOnlyInline):
    model = DecisionOption
    fields = ["position", "label", "description"]


class ChangeOptionInline(ReadOnlyInline):
    """Every revision's options: the earlier revisions' rows are the history of the proposal."""

    model = ChangeOption
    fields = [
        "revision",
        "position",
        "label",
        "description",
        "cost_impact",
        "quality_impact",
        "regulatory_impact",
    ]


@admin.register(DecisionRequest)
class DecisionRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "needed_by", "status", "decided_at"]
    list_filter = ["status"]
    search_fields = ["title", "project__code"]
    list_select_related = ["project"]
    inlines = [DecisionOptionInline]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "needed_by", "status", "revision", "decided_at"]
    list_filter = ["status"]
    search_fields = ["title", "project__code"]
    list_select_related = ["project"]
    inlines = [ChangeOptionInline]
