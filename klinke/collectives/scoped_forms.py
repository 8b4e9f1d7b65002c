"""Forms whose choices are one collective's own things (its leads, contacts, members).

The view passes `collective=`; the form keeps it and narrows its choice fields in
`limit_choices()`, so another collective's rows can never be offered or accepted.
"""

from __future__ import annotations

from typing import TypeVar, Unpack

from django import forms
from django.db.models import Model

from klinke.collectives.models import Collective
from klinke.core.signatures import FormData, FormOptions, ModelFormOptions

_M = TypeVar("_M", bound=Model)


class CollectiveForm(forms.Form):
    def __init__(
        self, data: FormData = None, *, collective: Collective, **options: Unpack[FormOptions]
    ) -> None:
        super().__init__(data, **options)
        self.collective = collective
        self.limit_choices(collective)

    def limit_choices(self, collective: Collective) -> None:
        """Narrow the choice fields to `collective`'s rows; the base form has none."""


class CollectiveModelForm(forms.ModelForm[_M]):
    def __init__(
        self,
        data: FormData = None,
        *,
        collective: Collective,
        **options: Unpack[ModelFormOptions[_M]],
    ) -> None:
        super().__init__(data, **options)
        self.collective = collective
        self.limit_choices(collective)

    def limit_choices(self, collective: Collective) -> None:
        """Narrow the choice fields to `collective`'s rows; the base form has none."""
