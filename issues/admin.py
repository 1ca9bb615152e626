"""Service issues for portal staff: browse and search, never edit or delete.

The clocks, the escalation ladder and the emails only stay right when every change goes through
`issues.services`.
"""

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import IssueEvent, Recognition, ResolutionPlan, ResponseTimeAgreement, ServiceIssue


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    fields = ["at", "kind", "actor", "summary", "is_internal"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceIssue)
class ServiceIssueAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "project",
        "severity",
        "category",
        "status",
        "escalation_level",
        "raised_at",
        "acknowledge_by",
        "plan_by",
    ]
    list_filter = ["status", "severity", "category", "escalation_level"]
    search_fields = ["title", "project__code", "project__name", "raised_by__email"]
    list_select_related = ["project"]
    date_hierarchy = "raised_at"
    inlines = [IssueEventInline]


@admin.register(ResolutionPlan)
class ResolutionPlanAdmin(ReadOnlyAdmin):
    list_display = ["issue", "status", "proposed_at"]
    list_filter = ["status"]
    search_fields = ["issue__title", "issue__project__code"]
    list_select_related = ["issue__project"]


@admin.register(ResponseTimeAgreement)
class ResponseTimeAgreementAdmin(ReadOnlyAdmin):
    list_display = ["project", "severity", "acknowledge_within_hours", "plan_within_hours", "updated_at"]
    list_filter = ["severity"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project"]


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdmin):
    list_display = ["given_at", "project", "given_by", "recipient", "target_label"]
    search_fields = ["project__code", "note", "given_by__email", "recipient__email"]
    list_select_related = ["project", "given_by", "recipient"]
    date_hierarchy = "given_at"
