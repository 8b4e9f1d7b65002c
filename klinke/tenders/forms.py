"""Forms of the tenders app: the tender profile, and what members say about an inbox entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.languages import interface_language
from klinke.matching.reasons import LANGUAGE_NAMES
from klinke.tenders import cpv
from klinke.tenders.actions import ProfileValues
from klinke.tenders.models import DEFAULT_LEAD_DAYS, TenderProfile
from klinke.workbench.models import split_lines


def _language_choices() -> list[tuple[str, str]]:

    lang = interface_language()
    return [(code, label.get(lang)) for code, label in LANGUAGE_NAMES.items()]


class ProfileForm(CleanTextInputs, forms.Form):
    cpv_codes = forms.CharField(
        label=_("CPV codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line. A code ending in zeros covers everything beneath it: "
            "72000000 is all IT services."
        ),
    )
    cpv_pick = forms.MultipleChoiceField(
        label=_("Add from the search"), required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords_de = forms.CharField(
        label=_("German keywords"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. “Webportal” also finds “Web-Portal” and “web portal”."),
    )
    keywords_en = forms.CharField(
        label=_("English keywords"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    regions = forms.CharField(
        label=_("Regions"),
        required=False,
        max_length=500,
        help_text=_(
            "NUTS codes or their beginnings (DED for Saxony, DED5 for Leipzig) or countries "
            "(DE), separated by commas. Empty: anywhere."
        ),
    )
    remote_ok = forms.BooleanField(
        label=_("We also work remotely (tenders that may be done anywhere)"), required=False
    )
    value_min = forms.IntegerField(label=_("Value from (EUR)"), required=False, min_value=0)
    value_max = forms.IntegerField(label=_("Value up to (EUR)"), required=False, min_value=0)
    languages = forms.MultipleChoiceField(
        label=_("Languages we bid in"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    lead_days_before_deadline = forms.IntegerField(
        label=_("A lead from a tender is due this many days before its deadline"),
        min_value=0,
        max_value=90,
        initial=DEFAULT_LEAD_DAYS,
    )
    digest = forms.BooleanField(
        label=_("Email me new fitting tenders (at most once a day)"), required=False
    )

    def __init__(
        self, data: Any = None, *, profile: TenderProfile, picks: list[str] | None = None
    ) -> None:
        initial = {
            "cpv_codes": "\n".join(profile.cpv_codes),
            "keywords_de": profile.keywords_de,
            "keywords_en": profile.keywords_en,
            "regions": ", ".join(profile.regions),
            "remote_ok": profile.remote_ok,
            "value_min": profile.value_min,
            "value_max": profile.value_max,
            "languages": list(profile.languages),
            "lead_days_before_deadline": profile.lead_days_before_deadline,
            "digest": profile.digest,
        }
        super().__init__(data, initial=initial)
        self.fields["languages"].choices = _language_choices()  # type: ignore[attr-defined]
        # The picker's results come back as checkboxes of this form; any known code is fine.
        chosen = picks or (data.getlist("cpv_pick") if data is not None else [])
        known = cpv.codes()
        self.fields["cpv_pick"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} {known[code].label('de')}") for code in chosen if code in known
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("value_min"), cleaned.get("value_max")
        if low is not None and high is not None and low > high:
            self.add_error("value_max", _("The upper value lies below the lower one."))
        return cleaned

    def values(self) -> ProfileValues:
        data = self.cleaned_data
        codes = split_lines(data["cpv_codes"]) + list(data.get("cpv_pick") or [])
        return ProfileValues(
            cpv_codes=list(dict.fromkeys(codes)),
            keywords_de=data["keywords_de"],
            keywords_en=data["keywords_en"],
            regions=split_lines(data["regions"]),
            remote_ok=data["remote_ok"],
            value_min=data["value_min"],
            value_max=data["value_max"],
            languages=list(data["languages"]),
            lead_days_before_deadline=data["lead_days_before_deadline"],
            digest=data["digest"],
        )


class DismissForm(CleanTextInputs, forms.Form):
    reason = forms.CharField(
        label=_("Why is this not interesting?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the tender; it does not change your profile."),
    )


class OverrideForm(CleanTextInputs, forms.Form):
    reason = forms.CharField(
        label=_("Why does the red line not apply?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- consortia -------------------------------------------------------------------------


class InviteForm(CleanTextInputs, forms.Form):
    collective = forms.SlugField(label=_("Collective"), max_length=100)
    message = forms.CharField(
        label=_("Message to the collective"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PartForm(CleanTextInputs, forms.Form):
    """The lots a member takes and its share; used to accept an invitation and to change it."""

    lots = forms.MultipleChoiceField(
        label=_("Lots you take"), required=False, widget=forms.CheckboxSelectMultiple
    )
    share = forms.DecimalField(
        label=_("Your share in percent"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
    )

    def __init__(self, data: Any = None, *, lots: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["lots"].choices = lots  # type: ignore[attr-defined]


class AnswerForm(PartForm):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("We take part")), ("decline", _("We decline"))],
        widget=forms.RadioSelect,
    )


class ConsortiumStateForm(CleanTextInputs, forms.Form):
    state = forms.ChoiceField(label=_("Move the consortium to"), choices=())

    def __init__(self, data: Any = None, *, choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["state"].choices = choices  # type: ignore[attr-defined]
