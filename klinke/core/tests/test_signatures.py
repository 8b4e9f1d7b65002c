from __future__ import annotations

import pytest
from django import forms

from klinke.core.signatures import form_field


class _Form(forms.Form):
    colour = forms.ChoiceField(choices=[("red", "red")])


def test_it_gives_the_forms_own_copy_of_a_field() -> None:
    form = _Form()
    colour = form_field(form, "colour", forms.ChoiceField)
    colour.choices = [("blue", "blue")]
    assert form_field(_Form(), "colour", forms.ChoiceField).choices == [("red", "red")]
    assert form.fields["colour"] is colour


def test_it_refuses_a_field_of_another_kind() -> None:
    with pytest.raises(AssertionError):
        form_field(_Form(), "colour", forms.IntegerField)
