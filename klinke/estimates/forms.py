"""Forms of estimates: the estimate's settings, where a new one starts from, a version's
content (packages as a formset, assumptions and exclusions one per line), and the client's
answer. Field lists come from the action's value types, so they are written once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.widgets import IsoDateInput
from klinke.estimates.actions import (
    DEFAULT_HOURLY_RATE,
    ESTIMATE_FIELDS,
    PACKAGE_FIELDS,
    EstimateValues,
    PackageValues,
    VersionValues,
)
from klinke.estimates.models import Estimate, WorkPackage
from klinke.estimates.starters import STARTERS
from klinke.workbench.models import split_lines


class EstimateForm(CleanTextInputs, forms.ModelForm[Estimate]):
    class Meta:
        model = Estimate
        fields = list(ESTIMATE_FIELDS)
        widgets = {"valid_until": IsoDateInput()}
        help_texts = {
            "valid_until": _("The client can accept until this day. Empty: 30 days from today."),
            "hours_per_day": _("Turns hourly rates into the day rates the client sees."),
            "en16931_seller_vat_id": _("Only needed for the invoice data (EN 16931)."),
        }

    def values(self) -> EstimateValues:
        data: dict[str, Any] = self.cleaned_data
        return EstimateValues(**{name: data[name] for name in ESTIMATE_FIELDS})


class StartForm(EstimateForm):
    """A new estimate: the same settings, plus where its first version comes from."""

    start = forms.ChoiceField(label=_("Start from"), choices=())
    hourly_rate = forms.DecimalField(
        label=_("Hourly rate for a template's packages"),
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        initial=DEFAULT_HOURLY_RATE,
        help_text=_("You can change each package's rate afterwards."),
    )

    class Meta(EstimateForm.Meta):
        fields = [
            "title",
            "client_name",
            "client_language",
            "currency",
            "vat_category",
            "vat_rate",
            "hours_per_day",
            "valid_until",
        ]

    def __init__(self, *args: Any, earlier: list[Estimate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("blank", _("an empty estimate"))]
        choices += [
            (f"starter:{slug}", s.title_de + " / " + s.title_en) for slug, s in STARTERS.items()
        ]
        if earlier:
            choices.append(
                (
                    str(_("an earlier estimate of yours")),
                    [(f"estimate:{e.pk}", e.title) for e in earlier],
                )
            )
        start = self.fields["start"]
        assert isinstance(start, forms.ChoiceField)
        start.choices = choices

    def values(self) -> EstimateValues:
        data: dict[str, Any] = self.cleaned_data
        return EstimateValues(**{name: data[name] for name in self.Meta.fields})


class PackageForm(CleanTextInputs, forms.ModelForm[WorkPackage]):
    class Meta:
        model = WorkPackage
        fields = list(PACKAGE_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        o, m, p = (data.get(k) for k in ("optimistic_hours", "likely_hours", "pessimistic_hours"))
        if None not in (o, m, p) and not o <= m <= p:  # type: ignore[operator]
            raise forms.ValidationError(_("Hours must be optimistic ≤ most likely ≤ pessimistic."))
        return data

    def values(self) -> PackageValues:
        return PackageValues(**{name: self.cleaned_data[name] for name in PACKAGE_FIELDS})


PackageFormSet = forms.modelformset_factory(
    WorkPackage, form=PackageForm, extra=2, can_delete=True, max_num=60, validate_max=True
)


class VersionForm(CleanTextInputs, forms.Form):
    assumptions = forms.CharField(
        label=_("Assumptions"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. The client reads them: what must hold for this price."),
    )
    exclusions = forms.CharField(
        label=_("Not included"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: what this estimate leaves out."),
    )
    risk_buffer_percent = forms.DecimalField(
        label=_("Risk buffer (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
    )
    risk_buffer_reason = forms.CharField(label=_("Why the buffer"), required=False, max_length=500)
    change_note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The client sees this note with the next version you share."),
    )

    def values(self, packages: list[PackageValues]) -> VersionValues:
        data = self.cleaned_data
        return VersionValues(
            packages=tuple(packages),
            assumptions=tuple(split_lines(data["assumptions"])),
            exclusions=tuple(split_lines(data["exclusions"])),
            risk_buffer_percent=data["risk_buffer_percent"],
            risk_buffer_reason=data["risk_buffer_reason"],
            change_note=data["change_note"],
        )


class ClientAnswerForm(CleanTextInputs, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    message = forms.CharField(
        label=_("Message to the collective (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )
