from django.contrib import admin

from localities.admin import LargeTableAdmin
from notices.models import ReminderLog


@admin.register(ReminderLog)
class ReminderLogAdmin(LargeTableAdmin):
    list_display = ["kind", "recipient", "object_key", "day", "sent_at"]
    # The kinds are free text: a filter listing them would read every reminder ever sent.
    list_filter = ["day"]
    search_fields = ["recipient", "object_key", "=kind"]
    readonly_fields = ["kind", "recipient", "object_key", "day", "sent_at"]
