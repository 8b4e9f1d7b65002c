from django import forms
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.languages import WORKING_LANGUAGES
from klinke.topics.forms import TopicFilterField


class DirectoryFilterForm(CleanTextInputs, forms.Form):
    KIND_CHOICES = [
        ("", _("Collectives and supporters")),
        ("collective", _("Collectives")),
        ("supporter", _("Supporters")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = TopicFilterField(empty_label=_("any topic"))
    region = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=120,
        help_text=_("City, country code or NUTS code"),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("any language")), *WORKING_LANGUAGES], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
