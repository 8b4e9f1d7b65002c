"""`refusal_onto`: an action's refusal shows on the form that asked, and nothing after it runs."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from klinke.core.forms import CleanTextInputs, refusal_onto


class Refused(Exception):
    pass


class Other(Exception):
    pass


class NameForm(CleanTextInputs, forms.Form):
    name = forms.CharField()


def valid_form() -> NameForm:
    form = NameForm({"name": "Quellcode eG"})
    assert form.is_valid()
    return form


def test_it_lets_a_successful_action_run_to_the_end() -> None:
    form = valid_form()
    ran: list[str] = []

    with refusal_onto(form, Refused):
        ran.append("action")
        ran.append("after")

    assert ran == ["action", "after"]
    assert form.is_valid()


def test_it_puts_a_refusal_on_the_whole_form_and_skips_the_rest() -> None:
    form = valid_form()
    ran: list[str] = []

    with refusal_onto(form, Refused):
        raise Refused("Only members may do this.")
        ran.append("after")  # pragma: no cover - the point of the test

    assert ran == []
    assert not form.is_valid()
    assert form.non_field_errors() == ["Only members may do this."]


def test_it_puts_a_refusal_on_the_named_field() -> None:
    form = valid_form()

    with refusal_onto(form, Refused, field="name"):
        raise Refused("This name is taken.")

    assert form.errors == {"name": ["This name is taken."]}
    assert "name" not in form.cleaned_data


def test_it_shows_every_message_of_a_validation_error() -> None:
    form = valid_form()

    with refusal_onto(form, Refused, ValidationError):
        raise ValidationError({"name": ["Too long."], "__all__": ["Full."]})

    assert sorted(form.non_field_errors()) == ["Full.", "Too long."]


def test_it_lets_other_errors_through() -> None:
    form = valid_form()

    with pytest.raises(Other), refusal_onto(form, Refused):
        raise Other("a bug, not a refusal")

    assert form.is_valid()
