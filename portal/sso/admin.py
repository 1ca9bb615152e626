from django.contrib import admin

from .models import IdentityProvider, SignInEvent


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """Read-only for staff: organizations' admins configure their own (the secret is never shown)."""

    list_display = ["organization", "name", "protocol", "enabled", "enforce", "updated_at"]
    exclude = ["client_secret_encrypted"]
    readonly_fields = [
        "organization",
        "protocol",
        "name",
        "issuer_url",
        "client_id",
        "default_role",
        "enabled",
        "enforce",
        "break_glass_user",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    list_display = ["at", "organization", "kind", "email"]
    list_filter = ["kind"]
    readonly_fields = ["at", "organization", "kind", "email", "detail"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
