"""Forms of estimates: the estimate's settings, where a new one starts from, a version's
content (packages as a formset, assumptions and exclusions one per line), and the client's
answer. Field lists come from the action's value types, so they are written once."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.widgets import IsoDateInput
from klinke.estimates import timesheets
from klinke.estimates.actions import (
    DEFAULT_HOURLY_RATE,
    ESTIMATE_FIELDS,
    PACKAGE_FIELDS,
    ActualValues,
    EstimateValues,
    PackageValues,
    VersionValues,
)
from klinke.estimates.models import Estimate, PackageKind, WorkPackage
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Calibration groups packages by kind; a form that leaves it out means "other".
        self.fields["kind"].required = False
        self.fields["kind"].help_text = _("Calibration compares packages of the same kind.")

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or PackageKind.OTHER)

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


class ActualHoursForm(CleanTextInputs, forms.Form):
    """One line of actual hours on a package of the accepted version."""

    package = forms.TypedChoiceField(label=_("Work package"), coerce=int)
    worked_on = forms.DateField(label=_("Date"), required=False, widget=IsoDateInput)
    person = forms.CharField(label=_("Person"), required=False, max_length=100)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.01"),
        max_value=Decimal(99999),
        max_digits=7,
        decimal_places=2,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, packages: Sequence[WorkPackage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["package"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p.pk, p.name) for p in packages]

    def values(self) -> ActualValues:
        data = self.cleaned_data
        return ActualValues(
            package_id=data["package"],
            hours=data["hours"],
            worked_on=data["worked_on"],
            person=data["person"],
            note=data["note"],
        )


class TimesheetUploadForm(CleanTextInputs, forms.Form):
    file = forms.FileField(
        label=_("CSV file from your time tracker"),
        help_text=_(
            "Columns for date, person, package or description, hours; at most 512 KiB and "
            "5000 rows. You choose the columns and see every row before anything is saved."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > timesheets.MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 512 KiB."))
        return upload


COLUMN_LABELS = {
    "date": _("Date"),
    "person": _("Person"),
    "package": _("Work package or description"),
    "hours": _("Hours"),
    "note": _("Note"),
}


class TimesheetMappingForm(CleanTextInputs, forms.Form):
    """Which column of the file holds what; package and hours are needed."""

    def __init__(self, *args: Any, header: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— none —")), *((str(i), h or f"#{i + 1}") for i, h in enumerate(header))]
        for column in timesheets.COLUMNS:
            self.fields[column] = forms.ChoiceField(
                label=COLUMN_LABELS[column],
                choices=choices,
                required=column in timesheets.REQUIRED,
            )

    def mapping(self) -> dict[str, int | None]:
        return {
            column: int(self.cleaned_data[column]) if self.cleaned_data.get(column) else None
            for column in timesheets.COLUMNS
        }
