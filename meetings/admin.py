from django.contrib import admin
from django.db import models

from portal.core.admin import ReadOnlyAdmin

from .models import ActionItem, Meeting

# Read-only for portal staff: every change goes through the services (rights, emails,
# calendar sequence, the audit trail), never through the admin.


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "kind", "starts_at", "status", "organizer", "decision_maker_invited"]
    list_filter = ["status", "kind", "decision_maker_invited"]
    search_fields = ["title", "project__code", "organizer__email", "ical_uid"]
    list_select_related = ["project", "organizer"]
    date_hierarchy = "starts_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the meeting form does


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "owner", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["title", "project__code", "owner__email"]
    list_select_related = ["project", "owner"]
