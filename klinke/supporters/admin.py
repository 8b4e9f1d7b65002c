from django.contrib import admin
from django.forms import BaseFormSet, Form, ModelForm
from django.http import HttpRequest

from klinke.supporters.models import Supporter


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin[Supporter]):
    list_display = ["name", "kind", "organisation", "city", "visibility", "is_demo"]
    list_filter = ["kind", "visibility", "is_demo", "country"]
    search_fields = ["name", "slug", "organisation"]
    filter_horizontal = ["topics"]
    raw_id_fields = ["user"]

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Supporter],
        formsets: list[BaseFormSet[Form]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_document()
