from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from localities.models import Level, Locality, LocalityChange, ZoneStatus

# The paginator, the base admin and the province filter serve the admins of every
# app; they live here because every app depends on localities.


class LargeTablePaginator(Paginator):
    """A paginator that never reads a whole big table just to count it.

    Unfiltered, on PostgreSQL, the count is the planner's estimate (pg_class,
    kept fresh by autovacuum). Filtered or searched, at most COUNT_LIMIT rows
    are counted: a broad filter answers at once, and pages past the limit are
    not offered (narrow the filter to reach them).
    """

    COUNT_LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not queryset.query.where:
            estimate = _estimated_rows(queryset.model, queryset.db)
            if estimate is not None and estimate > self.COUNT_LIMIT:
                return estimate
        return queryset.order_by().values("pk")[: self.COUNT_LIMIT].count()


def _estimated_rows(model, using: str) -> int | None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    # -1 (or 0) until the table has been analysed once: count instead.
    return row[0] if row and row[0] > 0 else None


class LargeTableAdmin(admin.ModelAdmin):
    """For tables of hundreds of thousands of rows: no full count, no facet counts."""

    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


class ProvinceListFilter(admin.SimpleListFilter):
    """Rows of one province, at any level below it.

    A related-field filter on a locality would list every one of the country's
    ten thousand communes (and RelatedOnlyFieldListFilter would first read the
    whole filtered table to find which); this lists the provinces only.
    `locality_path` leads from the admin's model to a Locality.
    """

    title = _("province")
    parameter_name = "province"
    locality_path = "locality"

    def lookups(self, request, model_admin):
        return [(province.pk, str(province)) for province in Locality.objects.filter(level=Level.PROVINCE)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            province = int(self.value())
        except ValueError:
            return queryset.none()
        places = Locality.objects.filter(Q(pk=province) | Q(parent_id=province) | Q(parent__parent_id=province)).values(
            "pk"
        )
        return queryset.filter(**{f"{self.locality_path}__in" if self.locality_path else "pk__in": places})


def province_filter(path: str) -> type[ProvinceListFilter]:
    return type(f"ProvinceListFilter_{path or 'self'}", (ProvinceListFilter,), {"locality_path": path})


class ZoneStatusInline(admin.TabularInline):
    model = ZoneStatus
    extra = 0
    fields = ["grading", "directive", "valid_from", "valid_to", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Locality)
class LocalityAdmin(LargeTableAdmin):
    list_display = ["name", "kind", "parent", "code", "valid_from", "valid_to"]
    list_filter = ["level", "kind", province_filter("")]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "successors"]
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
class ZoneStatusAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    list_display = ["locality", "grading", "directive", "valid_from", "valid_to", "recorded_by"]
    # No date hierarchy: its list of years reads the whole table (valid_from leads no index).
    list_filter = ["grading", "valid_from", province_filter("locality")]
    search_fields = ["locality__name", "directive", "note"]
    autocomplete_fields = ["locality"]
    list_select_related = ["locality", "recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = obj.recorded_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(LocalityChange)
class LocalityChangeAdmin(admin.ModelAdmin):
    """Corrections only: staff record changes on the locality page, which checks them (localities/changes.py)."""

    list_display = ["locality", "kind", "effective_on", "basis", "recorded_by"]
    list_filter = ["kind", "effective_on"]
    search_fields = ["locality__name", "name_before", "basis"]
    autocomplete_fields = ["locality", "closed", "opened"]
    list_select_related = ["locality", "recorded_by"]
    readonly_fields = ["recorded_by", "recorded_at"]
