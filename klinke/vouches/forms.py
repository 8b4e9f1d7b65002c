"""The forms of vouching: offering a vouch for a collective, and asking a partner for one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective
from klinke.core.forms import CleanTextInputs
from klinke.core.models import Visibility
from klinke.supporters.models import Supporter
from klinke.vouches.actions import VouchValues
from klinke.vouches.models import VouchSource


class _VouchFields(CleanTextInputs, forms.Form):
    project = forms.CharField(
        label=_("The project you did together"),
        max_length=200,
        help_text=_("Shown publicly, e.g. “Member portal for a tenants' association, 2025”."),
    )
    statement = forms.CharField(
        label=_("What you would like to say (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.ChoiceField(
        choices=VouchSource.choices, initial=VouchSource.HAND, widget=forms.HiddenInput
    )
    source_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def values(self) -> VouchValues:
        data = self.cleaned_data
        return VouchValues(
            project=data["project"],
            statement=data["statement"],
            source=data["source"],
            source_id=data["source_id"],
        )


def _collectives(excluding: Collective | None) -> Any:
    chosen = Collective.objects.active().filter(visibility=Visibility.PUBLIC).order_by("name")
    return chosen.exclude(pk=excluding.pk) if excluding is not None else chosen


class OfferForm(_VouchFields):
    """A collective or a supporter offers to vouch for a collective."""

    field_order = ("collective", "project", "statement")
    collective = forms.ModelChoiceField(
        label=_("The collective you vouch for"),
        queryset=Collective.objects.none(),
        to_field_name="slug",
    )

    def __init__(self, *args: Any, excluding: Collective | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["collective"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _collectives(excluding)


class AskForm(_VouchFields):
    """A collective asks a collective or supporter it worked with to vouch for it."""

    field_order = ("partner", "project", "statement")
    partner = forms.ChoiceField(label=_("Whom you ask"))

    def __init__(self, *args: Any, collective: Collective, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supporters = Supporter.objects.filter(visibility=Visibility.PUBLIC).order_by("name")
        field = self.fields["partner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "—"),
            (
                _("Collectives"),
                [(f"collective:{c.slug}", c.name) for c in _collectives(collective)],
            ),
            (_("Supporters"), [(f"supporter:{s.slug}", s.name) for s in supporters]),
        ]

    def partner_object(self) -> Collective | Supporter:
        kind, slug = self.cleaned_data["partner"].split(":", 1)
        if kind == "supporter":
            return Supporter.objects.get(slug=slug)
        return Collective.objects.get(slug=slug)
