from django.contrib import admin
from django.forms import BaseFormSet, Form, ModelForm
from django.http import HttpRequest

from klinke.collectives.models import Collective, Invitation, Membership, Reference


class ReferenceInline(admin.TabularInline[Reference, Collective]):
    model = Reference
    extra = 0


class MembershipInline(admin.TabularInline[Membership, Collective]):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin[Collective]):
    list_display = ["name", "city", "country", "visibility", "is_demo", "archived_at"]
    list_filter = ["visibility", "is_demo", "country", "legal_form"]
    search_fields = ["name", "slug", "city"]
    filter_horizontal = ["topics"]
    inlines = [ReferenceInline, MembershipInline]

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Collective],
        formsets: list[BaseFormSet[Form]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_document()


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "collective", "created_at", "expires_at", "accepted_at"]
    exclude = ["digest"]
