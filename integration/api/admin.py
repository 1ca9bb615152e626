"""Staff read the tokens and the API's request log; nobody edits or deletes them here (an
organization admin revokes a token on its own page). The hash is never shown."""

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin

from .models import ApiRequest, ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "prefix",
        "organization",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "organization__name"]
    list_select_related = ["organization"]
    fields = readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "secret_hash"]


@admin.register(ApiRequest)
class ApiRequestAdmin(ReadOnlyAdmin):
    list_display = ["at", "status_code", "token", "organization", "method", "path", "query", "refusal"]
    list_filter = ["status_code", "refusal"]
    search_fields = ["path", "token__prefix", "organization__name"]
    list_select_related = ["token", "organization"]
    readonly_fields = [f.name for f in ApiRequest._meta.fields]
