"""klinke writes a select's options in Python (no template per option): the markup stays
exactly Django's own, for plain, grouped, multiple and model choices, and for a widget with an
option template of its own."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


class _OtherOptions(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"


class _Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "all"), ("a", "A & B"), ("b", "<b>")], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "none"), ("Group", [("x", "X"), ("y", "Y")]), ("z", "Z")], required=False
    )
    many = forms.MultipleChoiceField(
        choices=[("1", "one"), ("2", "two"), ("3", "three")],
        widget=forms.SelectMultiple(attrs={"data-x": "1", "disabled": True}),
        required=False,
    )
    other = forms.ChoiceField(choices=[("o", "O & P")], widget=_OtherOptions, required=False)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), to_field_name="slug", empty_label="all topics"
    )


@pytest.mark.parametrize(
    "data", [None, {"plain": "a", "grouped": "y", "many": ["1", "3"], "topic": "pricing"}]
)
def test_it_renders_selects_exactly_as_djangos_own_templates(
    data: dict[str, object] | None,
) -> None:
    form = _Choices(data)
    for name in ("plain", "grouped", "many", "other", "topic"):
        field = form[name]
        attrs = {"id": field.auto_id}
        ours = field.field.widget.render(
            field.html_name, field.value(), attrs, get_default_renderer()
        )
        djangos = field.field.widget.render(
            field.html_name, field.value(), attrs, DjangoTemplates()
        )
        assert not isinstance(get_default_renderer(), DjangoTemplates)
        assert ("<option" in ours) == (name != "other")
        assert ours == djangos, name
