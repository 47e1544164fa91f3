from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cadres.filters import chosen_pk
from cadres.models import (
    DECISION_CONTENT,
    Assignment,
    Cadre,
    Campaign,
    Decision,
    Nomination,
    ProvincialUnit,
    Quota,
    Role,
    RosterUpload,
)
from localities.admin import LargeTableAdmin, province_filter


class DepartmentInline(admin.TabularInline):
    model = ProvincialUnit
    fk_name = "parent"
    extra = 0
    fields = ["name", "short_name"]
    verbose_name_plural = _("departments")


@admin.register(ProvincialUnit)
class ProvincialUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "parent", "kind", "document_symbol"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [DepartmentInline]


def _refusal_to_delete(assignment: Assignment) -> str:
    """Why `assignment` is not deleted (Assignment.check_deletable), or nothing."""
    try:
        assignment.check_deletable()
    except ValidationError as error:
        return error.messages[0]
    return ""


class AssignmentInlineFormSet(BaseInlineFormSet):
    def clean(self):
        """A row ticked for deletion is refused when its decision is issued (Assignment.check_deletable)."""
        super().clean()
        errors = []
        for form in self.forms:
            if form.instance.pk is None or not form.cleaned_data.get(DELETION_FIELD_NAME):
                continue
            try:
                form.instance.check_deletable()
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentInlineFormSet
    extra = 0
    fields = ["cadre", "campaign", "locality", "host_organisation", "starts_on", "ends_on", "recalled_on"]
    autocomplete_fields = ["cadre", "campaign", "locality"]
    show_change_link = True


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    list_display = ["full_name", "code", "position", "unit", "phone", "is_party_member", "is_active"]
    # By the kind of unit, not by unit: two thousand units do not fit in a sidebar (search finds a unit's cadres).
    list_filter = ["is_active", "is_party_member", "unit__kind"]
    # Newest first by id: ordering a hundred thousand names on every page costs a full sort
    # (no index leads with the name); the column header still sorts by name on demand.
    ordering = ["-pk"]
    search_fields = ["full_name", "code", "phone", "email"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AssignmentInline]


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0
    autocomplete_fields = ["unit", "locality"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organising_unit", "starts_on", "ends_on", "assignment_days"]
    list_filter = [("organising_unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["organising_unit"]
    date_hierarchy = "starts_on"
    readonly_fields = ["created_at"]
    inlines = [QuotaInline]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "signed_on", "campaign", "issuing_unit", "signer_name"]
    list_filter = [("campaign", admin.RelatedOnlyFieldListFilter), ("issuing_unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "summary", "signer_name"]
    date_hierarchy = "signed_on"
    list_select_related = ["campaign", "issuing_unit"]
    autocomplete_fields = ["campaign", "issuing_unit", "amends"]
    # The scan is uploaded on the decision's page, which records who and when; here it links to the
    # protected download (a media URL would serve nothing, and should not).
    exclude = ["signed_scan"]
    readonly_fields = ["year", "scan", "scan_size", "scan_uploaded_at", "scan_uploaded_by", "created_by", "created_at"]
    # No inline of its assignments: a national decision assigns hundreds of cadres, one
    # autocomplete widget each. The assignment changelist filters by decision instead.

    def get_readonly_fields(self, request, obj=None):
        # An issued decision changes only by a new decision (Decision.check_unchanged_once_issued): shown, not edited.
        if obj is not None and obj.is_issued:
            return [*self.readonly_fields, *DECISION_CONTENT]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_issued)

    @admin.display(description=_("signed scan"))
    def scan(self, obj):
        if not obj or not obj.signed_scan:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("cadres:decision_scan", args=[obj.pk]), obj.reference)

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


class DecisionListFilter(admin.RelatedFieldListFilter):
    """Decisions of the campaign chosen beside it, or the latest ones: there are hundreds a year."""

    LIMIT = 50

    def field_choices(self, field, request, model_admin):
        decisions = Decision.objects.select_related("issuing_unit").order_by("-signed_on", "-number")
        campaign = chosen_pk(request.GET.get("campaign__id__exact"))
        if campaign is not None:
            decisions = decisions.filter(campaign_id=campaign)
        return [(decision.pk, str(decision)) for decision in decisions[: self.LIMIT]]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin, LargeTableAdmin):
    # To fit 1366 px: the period in one column ("17/08/2021 – 15/09/2021") rather than two, and the
    # campaign's long name through a method, which may wrap (admin keeps a foreign key's column on one line).
    list_display = ["cadre", "locality", "host_organisation", "dates", "recalled_on", "campaign_name"]
    # Only filters whose choices come from small tables or from nowhere: related-only
    # filters and the date hierarchy would each read all assignments on every page.
    list_filter = [
        "campaign",
        ("decision", DecisionListFilter),
        province_filter("locality"),
        "cadre__unit__kind",
        "starts_on",
        "recalled_on",
    ]
    search_fields = ["cadre__full_name", "=cadre__code", "locality__name", "host_organisation"]
    autocomplete_fields = ["cadre", "campaign", "decision", "locality", "replaced_by"]
    # Newest first by id: the model's order (start date, then the cadre's name) sorts every row.
    ordering = ["-pk"]
    list_select_related = ["cadre", "locality", "campaign"]
    # Who confirmed is recorded by the confirmation itself, not chosen among every account.
    readonly_fields = ["arrival_confirmed_by", "departure_confirmed_by", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        # An issued decision's list is kept (Assignment.check_deletable): its assignments are recalled, not deleted.
        return super().has_delete_permission(request, obj) and not (obj is not None and _refusal_to_delete(obj))

    def get_deleted_objects(self, objs, request):
        """Deleting several at once, those of an issued decision are listed as kept, each with the model's reason,
        rather than as a permission the user lacks (has_delete_permission() refuses them one by one)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if isinstance(objs, QuerySet):
            objs = objs.select_related("decision__issuing_unit", "cadre", "locality")
        refusals = [f"{assignment}: {refusal}" for assignment in objs if (refusal := _refusal_to_delete(assignment))]
        if refusals and super().has_delete_permission(request):
            perms_needed.discard(Assignment._meta.verbose_name)
            protected.extend(refusals)
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("Dates"), ordering="starts_on")
    def dates(self, obj):
        return obj.period

    @admin.display(description=_("campaign"), ordering="campaign__name")
    def campaign_name(self, obj):
        return obj.campaign.name


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "unit", "locality", "count"]
    list_filter = [("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["unit__name", "locality__name"]
    autocomplete_fields = ["campaign", "unit", "locality"]
    list_select_related = ["campaign", "unit", "locality"]


@admin.register(RosterUpload)
class RosterUploadAdmin(admin.ModelAdmin):
    """Previews waiting for confirmation; a new upload removes those older than a day."""

    list_display = ["filename", "uploaded_by", "created_at"]
    search_fields = ["filename", "uploaded_by__username"]
    autocomplete_fields = ["uploaded_by"]
    list_select_related = ["uploaded_by"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        # A preview holds every row of its file: the admin shows none of them.
        return super().get_queryset(request).defer("rows", "results", "form_checked")


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "kind", "unit", "locality", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name", "locality__name"]
    autocomplete_fields = ["user", "unit", "locality"]
    list_select_related = ["user", "unit", "locality"]


@admin.register(Nomination)
class NominationAdmin(SimpleHistoryAdmin):
    list_display = ["cadre", "unit", "campaign", "status", "created_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["cadre__full_name", "=cadre__code", "unit__name"]
    autocomplete_fields = ["campaign", "unit", "cadre", "assignment"]
    list_select_related = ["cadre", "unit", "campaign"]
    readonly_fields = ["proposed_by", "decided_by", "decided_at", "created_at"]
