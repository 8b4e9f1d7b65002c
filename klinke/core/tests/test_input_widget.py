"""klinke writes an input's attributes in Python (no include of attrs.html per input): the
markup stays exactly Django's own, for every kind of input and for values that need escaping."""

from __future__ import annotations

from datetime import date, time

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from klinke.core.widgets import IsoDateInput, IsoTimeInput


class _Inputs(forms.Form):
    text = forms.CharField(max_length=20, required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search"}), required=False)
    number = forms.IntegerField(min_value=1, required=False)
    email = forms.EmailField(widget=forms.EmailInput(attrs={"placeholder": 'a "b" & <c>'}))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    flags = forms.CharField(
        widget=forms.TextInput(attrs={"disabled": True, "readonly": False, "data-x": 0}),
        required=False,
    )
    safe = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("<i>")}))
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": 'x "y" <z> & w', "number": "3", "email": "a@b.example", "hidden": "h&i"},
        {"password": "p<w>", "search": "Preis"},
    ],
)
def test_it_renders_inputs_exactly_as_djangos_own_templates(data: dict[str, str] | None) -> None:
    form = _Inputs(data)
    assert not isinstance(get_default_renderer(), DjangoTemplates)
    for field in form:
        attrs = field.build_widget_attrs({"id": field.auto_id})
        widget = field.field.widget
        ours = widget.render(field.html_name, field.value(), attrs, get_default_renderer())
        djangos = widget.render(field.html_name, field.value(), attrs, DjangoTemplates())
        assert "<input" in ours
        assert ours == djangos, field.name


@pytest.mark.parametrize(
    ("widget", "value"), [(IsoDateInput(), date(2026, 5, 1)), (IsoTimeInput(), time(9, 30))]
)
def test_it_renders_klinkes_date_and_time_inputs_as_djangos_own_templates(
    widget: forms.Widget, value: object
) -> None:
    attrs = {"id": "id_when", "required": True}
    ours = widget.render("when", value, attrs, get_default_renderer())
    assert ours == widget.render("when", value, attrs, DjangoTemplates())
    assert "<input" in ours
