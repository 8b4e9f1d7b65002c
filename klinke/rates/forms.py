from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.rates import actions
from klinke.rates.actions import RateValues
from klinke.rates.calculation import RateResult
from klinke.rates.models import DayRate

VALUE_FIELDS = [f.name for f in fields(RateValues)]
"""The form's fields are the action's values, written once."""


def _number(step: str, minimum: str = "0") -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": step, "min": minimum, "inputmode": "decimal"})


class DayRateForm(CleanTextInputs, forms.ModelForm[DayRate]):
    """The calculator's inputs plus a change note; valid only if the calculator accepts them,
    so `result` is set after `is_valid()`."""

    result: RateResult | None = None

    class Meta:
        model = DayRate
        fields = [*VALUE_FIELDS, "change_note"]
        widgets = {
            "members": _number("1", "1"),
            "net_pay_per_member": _number("0.01"),
            "net_pay_list": forms.Textarea(attrs={"rows": 3}),
            "social_contributions_percent": _number("0.01"),
            "taxes_percent": _number("0.01"),
            "fixed_costs_per_month": _number("0.01"),
            "billable_percent": _number("0.01"),
            "working_days_per_year": _number("1", "1"),
            "holidays": _number("1"),
            "sick_days": _number("1"),
            "hours_per_day": _number("0.25"),
            "solidarity": forms.RadioSelect,
            "reduction_percent": _number("0.01"),
            "reduced_mix_percent": _number("0.01"),
            "solidarity_share_percent": _number("0.01"),
        }
        help_texts = {
            "social_contributions_percent": _(
                "Default 42 %: pension 18.6, health 14.6 plus about 2.5 additional, care 3.6, "
                "unemployment 2.6 (2025), paid half by the member, half by the collective."
            ),
            "taxes_percent": _(
                "Default 13 %: income tax and solidarity surcharge of a single person (tax "
                "class I, no church tax) on 3,000–4,500 € gross a month, 2025."
            ),
            "billable_percent": _(
                "Default 60 %: the rest goes to acquisition, meetings, learning, bookkeeping."
            ),
            "working_days_per_year": _(
                "Default 250: about 261 weekdays minus 9 to 13 public holidays."
            ),
            "holidays": _("Default 30; the legal minimum is 20 on a five-day week."),
            "sick_days": _("Default 15: employees in Germany are off sick 15 to 20 days a year."),
            "reduced_mix_percent": _("Only for a reduced rate paid for by a surplus."),
            "solidarity_share_percent": _("Only for a reduced rate paid for by a fixed share."),
            "change_note": _("Optional; the history shows it with your name."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.result = actions.preview(self.values())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(self._field_for(field), messages)
        return cleaned

    def _field_for(self, name: str) -> str | None:
        """The form field an input error of the calculator belongs on."""
        if name == "net_pay":
            listed = (self.cleaned_data.get("net_pay_list") or "").strip()
            return "net_pay_list" if listed else "net_pay_per_member"
        return name if name in self.fields else None

    def values(self) -> RateValues:
        data = self.cleaned_data
        return RateValues(**{name: data[name] for name in VALUE_FIELDS})
