from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organization", "org_role", "is_active", "is_staff", "last_login"]
    list_filter = ["org_role", "is_active", "is_staff", "organization__kind", "organization"]
    search_fields = ["email", "full_name", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "time_zone"]}),
        ("Organization", {"fields": ["organization", "org_role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organization", "org_role", "password1", "password2"],
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # people are deactivated, never deleted
