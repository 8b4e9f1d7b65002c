from django.contrib import admin
from django.http import HttpRequest

from klinke.workshops.models import Event, Interest, Material, Registration, WorkshopIdea


class InterestInline(admin.TabularInline[Interest, WorkshopIdea]):
    model = Interest
    extra = 0
    raw_id_fields = ["user"]


@admin.register(WorkshopIdea)
class WorkshopIdeaAdmin(admin.ModelAdmin[WorkshopIdea]):
    list_display = ["title", "state", "interest_threshold", "visibility", "is_demo", "created_at"]
    list_filter = ["state", "visibility", "is_demo", "language"]
    search_fields = ["title", "description"]
    fields = [
        "title", "description", "topics", "language", "interest_threshold", "proposers",
        "visibility", "state", "is_demo",
    ]  # fmt: skip
    filter_horizontal = ["topics"]
    raw_id_fields = ["proposers"]
    inlines = [InterestInline]


class RegistrationInline(admin.TabularInline[Registration, Event]):
    model = Registration
    extra = 0
    raw_id_fields = ["user"]
    # Places change only through the registration actions, which lock the event.
    fields = ("user", "status", "requested_at", "confirmed_at", "cancelled_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


class MaterialInline(admin.TabularInline[Material, Event]):
    model = Material
    extra = 0
    fields = ("title", "original_name", "content_type", "size", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["title", "starts_at", "time_zone", "capacity", "state", "visibility", "is_demo"]
    list_filter = ["state", "visibility", "format", "is_demo", "language"]
    search_fields = ["title", "description", "venue", "city"]
    date_hierarchy = "starts_at"
    fields = [
        "title", "description", "idea", "hosts", "starts_at", "ends_at", "time_zone", "format",
        "venue", "city", "online_url", "capacity", "language", "topics", "visibility", "state",
        "cancellation_note", "notes", "article", "created_by", "is_demo",
    ]  # fmt: skip
    filter_horizontal = ["topics"]
    raw_id_fields = ["hosts", "idea", "created_by", "article"]
    inlines = [RegistrationInline, MaterialInline]
