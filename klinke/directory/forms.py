from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from klinke.core.forms import CleanTextInputs
from klinke.core.languages import WORKING_LANGUAGES
from klinke.topics.models import Topic


class _ListedChoices(ModelChoiceIterator):
    """The choices of a short list read with one plain query. Django's own iterator reads
    through `QuerySet.iterator()`, which on PostgreSQL opens a server-side cursor: several
    round trips (declare, fetch, close) for a few dozen topics on every directory page."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for topic in self.queryset:
            yield self.choice(topic)


class _TopicChoiceField(forms.ModelChoiceField[Topic]):
    iterator = _ListedChoices


class DirectoryFilterForm(CleanTextInputs, forms.Form):
    KIND_CHOICES = [
        ("", _("Collectives and supporters")),
        ("collective", _("Collectives")),
        ("supporter", _("Supporters")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = _TopicChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("any topic"),
    )
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
