from django.contrib import admin

from localities.models import Locality, ZoneStatus


class ZoneStatusInline(admin.TabularInline):
    model = ZoneStatus
    extra = 0
    fields = ["grading", "directive", "valid_from", "valid_to", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "valid_from", "valid_to"]
    list_filter = ["level", "kind", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "successor"]
    list_select_related = ["parent"]
    inlines = [ZoneStatusInline]

    def save_formset(self, request, form, formset, change):
        for status in formset.save(commit=False):
            status.recorded_by = status.recorded_by or request.user
            status.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(ZoneStatus)
class ZoneStatusAdmin(admin.ModelAdmin):
    list_display = ["locality", "grading", "directive", "valid_from", "valid_to", "recorded_by"]
    list_filter = ["grading", "directive", ("locality__parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["locality__name", "directive", "note"]
    autocomplete_fields = ["locality"]
    date_hierarchy = "valid_from"
    list_select_related = ["locality", "recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = obj.recorded_by or request.user
        super().save_model(request, obj, form, change)
