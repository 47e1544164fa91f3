from django.contrib import admin

from reports.models import DailyNote, Escalation, MissionReport, Recommendation, ReminderLog


@admin.register(DailyNote)
class DailyNoteAdmin(admin.ModelAdmin):
    list_display = ["assignment", "day", "health", "created_at"]
    list_filter = ["health", "day", ("assignment__campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["assignment__cadre__full_name", "situation", "difficulties", "needs"]
    autocomplete_fields = ["assignment"]
    date_hierarchy = "day"
    list_select_related = ["assignment__cadre", "assignment__locality"]
    readonly_fields = ["client_key", "created_at", "updated_at"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["subject", "assignment", "category", "urgency", "status", "assigned_to", "created_at"]
    list_filter = ["status", "urgency", "category"]
    search_fields = ["subject", "description", "assignment__cadre__full_name"]
    autocomplete_fields = ["assignment", "note", "assigned_to"]
    date_hierarchy = "created_at"
    list_select_related = ["assignment__cadre", "assignment__locality", "assigned_to"]
    readonly_fields = ["client_key", "created_at", "updated_at", "answered_at"]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["text", "addressed_to", "status", "owner", "response"]
    autocomplete_fields = ["owner"]


@admin.register(MissionReport)
class MissionReportAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "rating", "submitted_at", "reviewed_by"]
    list_filter = ["status", "rating", ("assignment__campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["assignment__cadre__full_name", "results"]
    autocomplete_fields = ["assignment", "reviewed_by"]
    list_select_related = ["assignment__cadre", "assignment__locality", "reviewed_by"]
    readonly_fields = ["created_at", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [RecommendationInline]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "addressed_to", "status", "owner", "report"]
    list_filter = ["status", "addressed_to"]
    search_fields = ["text", "response"]
    autocomplete_fields = ["report", "owner"]
    list_select_related = ["report__assignment__cadre", "owner"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "object_key", "day", "sent_at"]
    list_filter = ["kind", "day"]
    search_fields = ["recipient", "object_key"]
    date_hierarchy = "day"
    readonly_fields = ["kind", "recipient", "object_key", "day", "sent_at"]
