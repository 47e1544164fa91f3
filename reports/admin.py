from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from localities.admin import LargeTableAdmin, province_filter
from reports.forms.notes import PhotoField
from reports.models import DailyNote, Escalation, LocalAssessment, MissionReport, Recommendation


@admin.register(DailyNote)
class DailyNoteAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    list_display = ["assignment", "day", "health", "created_at"]
    # Millions of rows: no date hierarchy (its list of years reads every note) and no
    # related-only filter (it reads every note to find the campaigns); the day filter
    # and the campaign filter use indexes.
    list_filter = ["health", "day", "assignment__campaign", province_filter("assignment__locality")]
    # The cadre, not the text: a substring search through millions of notes reads them all.
    search_fields = ["assignment__cadre__full_name", "=assignment__cadre__code"]
    autocomplete_fields = ["assignment"]
    list_select_related = ["assignment__cadre", "assignment__locality"]
    readonly_fields = ["client_key", "created_at", "updated_at"]
    # The cadre's photo field: bounded, re-encoded, without its metadata, here too.
    formfield_overrides = {models.ImageField: {"form_class": PhotoField}}


@admin.register(Escalation)
class EscalationAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    list_display = ["subject", "assignment", "category", "urgency", "status", "assigned_to", "created_at"]
    list_filter = ["status", "urgency", "category", "created_at"]
    search_fields = ["subject", "description", "assignment__cadre__full_name"]
    autocomplete_fields = ["assignment", "note", "assigned_to"]
    # Newest first by id, which follows the time raised without a sort of every row.
    ordering = ["-pk"]
    list_select_related = ["assignment__cadre", "assignment__locality", "assigned_to"]
    readonly_fields = ["client_key", "created_at", "updated_at", "answered_at", "local_at"]


@admin.register(LocalAssessment)
class LocalAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "rating", "written_by", "written_at"]
    list_filter = ["rating"]
    search_fields = ["assignment__cadre__full_name", "=assignment__cadre__code"]
    autocomplete_fields = ["assignment", "written_by"]
    list_select_related = ["assignment__cadre", "assignment__locality", "written_by"]
    readonly_fields = ["written_at"]


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["text", "addressed_to", "status", "owner", "response"]
    autocomplete_fields = ["owner"]


@admin.register(MissionReport)
class MissionReportAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    list_display = ["assignment", "status", "rating", "submitted_at", "reviewed_by"]
    list_filter = ["status", "rating", "assignment__campaign"]
    search_fields = ["assignment__cadre__full_name", "=assignment__cadre__code"]
    autocomplete_fields = ["assignment", "reviewed_by"]
    # Newest first by id: the model's order (submission time) leads no index and sorts every report.
    ordering = ["-pk"]
    list_select_related = ["assignment__cadre", "assignment__locality", "reviewed_by"]
    readonly_fields = ["created_at", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [RecommendationInline]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    list_display = ["__str__", "addressed_to", "status", "owner", "report"]
    list_filter = ["status", "addressed_to"]
    search_fields = ["text", "response"]
    autocomplete_fields = ["report", "owner"]
    list_select_related = ["report__assignment__cadre", "owner"]
