import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.languages import working_languages_field
from klinke.supporters.models import Sector, Supporter
from klinke.topics.forms import TopicsField


class SupporterForm(CleanTextInputs, forms.ModelForm[Supporter]):
    spoken_languages = working_languages_field(label=_("languages"))
    sectors = forms.MultipleChoiceField(
        label=_("sectors in which you can broker contacts"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = TopicsField(label=_("topics you can help with"))

    class Meta:
        model = Supporter
        fields = [
            "name",
            "slug",
            "kind",
            "organisation",
            "bio_de",
            "bio_en",
            "topics",
            "brokering_regions",
            "city",
            "country",
            "nuts_code",
            "latitude",
            "longitude",
            "hours_per_month",
            "visibility",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["spoken_languages"].initial = self.instance.language_codes
            self.fields["sectors"].initial = self.instance.sector_codes

    def clean_brokering_regions(self) -> str:
        written = [
            c.strip() for c in self.cleaned_data["brokering_regions"].split(",") if c.strip()
        ]
        for code in written:
            if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{0,3}", code.upper()):
                raise forms.ValidationError(
                    _("“%(code)s” is not a country or NUTS code.") % {"code": code}
                )
        return ", ".join(code.upper() for code in written)

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country", "")).upper()

    def clean_nuts_code(self) -> str:
        return str(self.cleaned_data.get("nuts_code", "")).upper()
