"""klinke's select template writes each option out itself (no include per option): the markup
stays exactly Django's own."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from klinke.topics.models import Topic

pytestmark = pytest.mark.django_db


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
    for name in ("plain", "grouped", "many", "topic"):
        field = form[name]
        attrs = {"id": field.auto_id}
        ours = field.field.widget.render(
            field.html_name, field.value(), attrs, get_default_renderer()
        )
        djangos = field.field.widget.render(
            field.html_name, field.value(), attrs, DjangoTemplates()
        )
        assert not isinstance(get_default_renderer(), DjangoTemplates)
        assert "<option" in ours
        assert ours == djangos, name
