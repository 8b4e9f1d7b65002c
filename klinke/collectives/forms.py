from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective, Reference
from klinke.core.forms import CleanTextInputs
from klinke.core.languages import WORKING_LANGUAGES
from klinke.topics.models import Topic


class CollectiveForm(CleanTextInputs, forms.ModelForm[Collective]):
    working_languages = forms.MultipleChoiceField(
        label=_("working languages"),
        choices=WORKING_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Collective
        fields = [
            "name",
            "slug",
            "description_de",
            "description_en",
            "legal_form",
            "founded_year",
            "member_count",
            "city",
            "country",
            "nuts_code",
            "latitude",
            "longitude",
            "remote_friendly",
            "working_languages",
            "website",
            "topics",
            "technologies",
            "values_statement",
            "red_lines",
            "capacity_person_days_per_month",
            "visibility",
            "publish_to_murmurations",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["working_languages"].initial = self.instance.language_codes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("description_de") and not cleaned.get("description_en"):
            raise forms.ValidationError(_("Describe the collective in German or in English."))
        return cleaned

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country", "")).upper()

    def clean_nuts_code(self) -> str:
        return str(self.cleaned_data.get("nuts_code", "")).upper()

    @property
    def chosen_languages(self) -> list[str]:
        return list(self.cleaned_data.get("working_languages") or [])

    @property
    def chosen_topics(self) -> list[Topic]:
        return list(self.cleaned_data.get("topics") or [])


ReferenceFormSet: type[
    forms.BaseInlineFormSet[Reference, Collective, forms.ModelForm[Reference]]
] = forms.inlineformset_factory(
    Collective,
    Reference,
    fields=["client_type", "summary", "year", "url"],
    extra=1,
    can_delete=True,
    widgets={"summary": forms.Textarea(attrs={"rows": 2})},
)


class InvitationForm(CleanTextInputs, forms.Form):
    email = forms.EmailField(label=_("email address of the person to invite"))


class DeleteCollectiveForm(CleanTextInputs, forms.Form):
    """The collective's short name, typed to confirm that it is to be deleted."""

    confirmation = forms.CharField(label=_("Short name of the collective"), max_length=80)

    def __init__(self, *args: Any, slug: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].help_text = _(
            "Type “%(slug)s” to confirm that the collective and its data are deleted."
        ) % {"slug": slug}
