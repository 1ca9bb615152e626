from django.contrib import admin

from .models import Invitation, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "time_zone", "require_mfa", "created_at"]
    list_filter = ["kind", "require_mfa", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organization",
        "org_role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["org_role", "organization"]
    search_fields = ["email", "full_name", "organization__name"]
    list_select_related = ["organization", "invited_by"]
    readonly_fields = ["token", "accepted_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
