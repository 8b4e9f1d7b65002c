from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.languages import working_languages_field
from klinke.core.widgets import IsoDateInput
from klinke.exchange.actions import ItemFields
from klinke.exchange.models import ExchangeItem, HelpKind, Need, Offer, Outcome
from klinke.topics.forms import TopicsField

# On the shared ``Meta`` so that every subclass, and every check over ``base_fields``, sees them.
ITEM_WIDGETS = {name: IsoDateInput() for name in ("starts_on", "ends_on", "expires_on")}

# The kind of help comes first: it is what a need is matched by before anything else.
ITEM_FIELDS = [
    "kind_choices",
    "title",
    "description",
    "topics",
    "remote_ok",
    "city",
    "country",
    "nuts_code",
    "language_choices",
    "starts_on",
    "ends_on",
    "effort_hours",
    "expires_on",
    "visibility",
]


class ExchangeItemForm(CleanTextInputs, forms.ModelForm[ExchangeItem]):
    field_order = ITEM_FIELDS
    kind_choices = forms.MultipleChoiceField(
        label=_("kinds of help"), choices=HelpKind.choices, widget=forms.CheckboxSelectMultiple
    )
    language_choices = working_languages_field(
        label=_("languages"), help_text=_("Left empty, the owner's working languages are used.")
    )
    topics = TopicsField()

    def __init__(
        self,
        data: Mapping[str, object] | None = None,
        *,
        instance: ExchangeItem | None = None,
        initial: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(data, instance=instance, initial=dict(initial or {}))
        if self.instance.pk:
            self.fields["kind_choices"].initial = self.instance.kind_codes
            self.fields["language_choices"].initial = self.instance.language_codes

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
            self.add_error("ends_on", _("The end lies before the start."))
        return cleaned

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country", "")).upper()

    def clean_nuts_code(self) -> str:
        return str(self.cleaned_data.get("nuts_code", "")).upper()

    def item_fields(self) -> ItemFields:
        """The valid input, as the actions take it."""
        data = self.cleaned_data
        return ItemFields(
            title=data["title"],
            description=data["description"],
            kinds=list(data["kind_choices"]),
            topics=list(data.get("topics") or []),
            city=data.get("city", ""),
            country=data.get("country", ""),
            nuts_code=data.get("nuts_code", ""),
            remote_ok=data.get("remote_ok", False),
            languages=list(data.get("language_choices") or []),
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            effort_hours=data.get("effort_hours"),
            expires_on=data.get("expires_on"),
            visibility=data["visibility"],
        )


class NeedForm(ExchangeItemForm):
    class Meta:
        model = Need
        fields = [f for f in ITEM_FIELDS if not f.endswith("_choices")]
        widgets = ITEM_WIDGETS
        help_texts = {
            "title": _("For example: “We need help with acquisition and pricing”."),
            "effort_hours": _("Roughly how many hours of help you hope for."),
        }


class OfferForm(ExchangeItemForm):
    class Meta:
        model = Offer
        fields = [f for f in ITEM_FIELDS if not f.endswith("_choices")]
        widgets = ITEM_WIDGETS
        help_texts = {"effort_hours": _("Roughly how many hours you can give.")}


class CloseItemForm(CleanTextInputs, forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"), choices=[c for c in Outcome.choices if c[0]]
    )


class IntroductionRequestForm(CleanTextInputs, forms.Form):
    counterpart = forms.RegexField(regex=r"^(supporter|collective):\d+$", widget=forms.HiddenInput)
    offer = forms.CharField(required=False, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you hope for, in two or three sentences."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    channel = forms.CharField(
        label=_("Preferred channel (optional)"),
        max_length=200,
        required=False,
        help_text=_("e.g. Signal, Matrix, a video call"),
    )


class AskForIntroductionForm(CleanTextInputs, forms.Form):
    """An introduction asked for from the page of an offer or a supporter: which of my needs."""

    need = forms.ChoiceField(label=_("For which of your needs?"))
    message = IntroductionRequestForm.base_fields["message"]
    phone = IntroductionRequestForm.base_fields["phone"]
    channel = IntroductionRequestForm.base_fields["channel"]

    def __init__(self, *args: Any, needs: Sequence[Need] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["need"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(need.ref, f"{need.title} ({need.collective.name})") for need in needs]


class IntroductionAnswerForm(CleanTextInputs, forms.Form):
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    channel = forms.CharField(
        label=_("Preferred channel (optional)"), max_length=200, required=False
    )


class FeedbackForm(CleanTextInputs, forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was it helpful?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = not at all, 5 = very much"),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
