from django.contrib import admin

from klinke.supporters.models import Supporter


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin[Supporter]):
    list_display = ["name", "kind", "organisation", "city", "visibility", "is_demo"]
    list_filter = ["kind", "visibility", "is_demo", "country"]
    search_fields = ["name", "slug", "organisation"]
    filter_horizontal = ["topics"]
    raw_id_fields = ["user"]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_document()
