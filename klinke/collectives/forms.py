from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from klinke.collectives.models import Collective, Reference
from klinke.core.forms import CleanTextInputs
from klinke.core.languages import working_languages_field
from klinke.core.slugs import unique_slug
from klinke.topics.forms import TopicsField
from klinke.topics.models import Topic


@dataclass(frozen=True)
class FieldGroup:
    """A part of a long form: the essentials stand open, details are folded away."""

    key: str
    legend: str | Promise
    fields: list[forms.BoundField]
    folded: bool

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in self.fields)

    @property
    def is_open(self) -> bool:
        """Open unless folded; a folded part with a mistake in it opens, so it is seen."""
        return not self.folded or self.has_errors


# The collective form, essentials first (what others look for: what you do, on which topics,
# where, in which languages); the rest folded away in parts.
COLLECTIVE_FIELD_GROUPS: list[tuple[str, Promise, bool, list[str]]] = [
    (
        "essentials",
        _("The essentials"),
        False,
        ["name", "description_de", "description_en", "topics", "city", "working_languages"],
    ),
    (
        "about",
        _("About the collective"),
        True,
        [
            "legal_form",
            "founded_year",
            "member_count",
            "website",
            "technologies",
            "values_statement",
            "red_lines",
            "capacity_person_days_per_month",
        ],
    ),
    (
        "place",
        _("Region and remote work"),
        True,
        ["remote_friendly", "country", "nuts_code", "latitude", "longitude"],
    ),
    (
        "visibility",
        _("Address and visibility"),
        True,
        ["slug", "visibility", "publish_to_murmurations"],
    ),
]


class CollectiveForm(CleanTextInputs, forms.ModelForm[Collective]):
    working_languages = working_languages_field()
    topics = TopicsField()

    class Meta:
        model = Collective
        fields = [name for *_group, names in COLLECTIVE_FIELD_GROUPS for name in names]
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "slug": _("Appears in the address of your page. Left empty, it is made from the name."),
            "city": _(
                "Country, region and coordinates below are filled in from the city when they "
                "are left empty and we know the place."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk:
            self.fields["working_languages"].initial = self.instance.language_codes

    @property
    def groups(self) -> list[FieldGroup]:
        return [
            FieldGroup(key, legend, [self[name] for name in names], folded)
            for key, legend, folded, names in COLLECTIVE_FIELD_GROUPS
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("description_de") and not cleaned.get("description_en"):
            raise forms.ValidationError(_("Describe the collective in German or in English."))
        if not cleaned.get("slug") and cleaned.get("name") and "slug" not in self.errors:
            others = Collective.objects.exclude(pk=self.instance.pk)
            cleaned["slug"] = unique_slug(
                cleaned["name"], taken=lambda slug: others.filter(slug=slug).exists()
            )
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
