"""Working languages people and collectives can name (ISO 639-1)."""

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

WORKING_LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("cs", _("Czech")),
    ("tr", _("Turkish")),
    ("ar", _("Arabic")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
    ("da", _("Danish")),
    ("sv", _("Swedish")),
]
LANGUAGE_NAMES = dict(WORKING_LANGUAGES)


def interface_language() -> str:
    """The two-letter code of the active interface language ("de" or "en"); German, the
    network's first language, where none is active (commands, the worker's jobs)."""
    return (get_language() or "de")[:2]


# WORKING_LANGUAGES is ordered by how many people in German-speaking networks work in each;
# forms show the first ten at once and fold the rest away.
MOST_USED = 10


class WorkingLanguagesWidget(forms.CheckboxSelectMultiple):
    """Checkboxes of the ten most used languages, the rest behind "More languages" (open
    when one of them is chosen)."""

    template_name = "core/widgets/working_languages.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        groups = context["widget"]["optgroups"]
        context["widget"]["first"] = groups[:MOST_USED]
        context["widget"]["more"] = more = groups[MOST_USED:]
        context["widget"]["more_chosen"] = any(
            option["selected"] for _group, options, _index in more for option in options
        )
        return context


def working_languages_field(**kwargs: Any) -> forms.MultipleChoiceField:
    kwargs.setdefault("label", _("working languages"))
    return forms.MultipleChoiceField(
        choices=WORKING_LANGUAGES, widget=WorkingLanguagesWidget, required=False, **kwargs
    )
