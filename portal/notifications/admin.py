"""Staff see every notification and its email delivery; nothing is edited or deleted here."""

from django.contrib import admin, messages

from portal.core.admin import ReadOnlyAdmin

from . import delivery
from .models import EmailStatus, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "email_status", "email_attempts", "read_at"]
    list_filter = ["email_status", "kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "dedupe_key", "title"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "recipient",
                    "subject_type",
                    "subject_id",
                    "subject_code",
                    "subject_name",
                    "kind",
                    "dedupe_key",
                    "title",
                    "body",
                    "url",
                    "created_at",
                    "read_at",
                ]
            },
        ),
        (
            "Email",
            {
                "fields": [
                    "email_status",
                    "email_to",
                    "email_subject",
                    "email_attempts",
                    "email_next_attempt_at",
                    "email_claimed_at",
                    "email_sent_at",
                    "email_last_error",
                    "digest",
                    "email_text",
                    "email_html",
                ]
            },
        ),
    ]
    actions = ["send_failed_again"]

    @admin.action(description="Send the failed emails again", permissions=["view"])
    def send_failed_again(self, request, queryset):
        ids = list(queryset.filter(email_status=EmailStatus.FAILED).values_list("pk", flat=True))
        count = delivery.retry_failed_deliveries(notification_ids=ids)
        self.message_user(request, f"{count} failed email(s) queued again.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "email_mode", "digest_hour", "updated_at"]
    list_filter = ["email_mode"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "email_mode", "digest_hour", "updated_at"]
