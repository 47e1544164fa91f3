from django.contrib import admin

from localities.admin import LargeTableAdmin
from notices.models import Delivery, Notice, Preferences, PushSubscription


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "target", "status", "attempts", "next_try_at", "delivered_at", "last_error"]
    readonly_fields = fields


@admin.register(Notice)
class NoticeAdmin(LargeTableAdmin):
    list_display = ["title", "kind", "user", "cadre", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "=key", "user__username", "cadre__full_name"]
    raw_id_fields = ["user", "cadre"]
    readonly_fields = ["kind", "key", "user", "cadre", "title", "body", "url", "created_at", "read_at"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(LargeTableAdmin):
    """Deliveries that failed are tried again by send_notices; an administrator sees why here."""

    list_display = ["notice", "channel", "target", "status", "attempts", "next_try_at", "delivered_at"]
    list_filter = ["status", "channel"]
    search_fields = ["target", "last_error"]
    raw_id_fields = ["notice", "subscription"]
    readonly_fields = ["notice", "channel", "target", "subscription", "attempts", "delivered_at", "last_error"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(LargeTableAdmin):
    list_display = ["user", "device", "created_at", "last_delivered_at"]
    search_fields = ["user__username", "device"]
    raw_id_fields = ["user"]
    readonly_fields = ["endpoint", "p256dh", "auth", "device", "created_at", "last_delivered_at"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "by_push", "by_email"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
