"""The options of a select, written in Python: the markup of Django's
django/forms/widgets/select.html and select_option.html, without a template per option; and
a widget's attributes, the markup of django/forms/widgets/attrs.html without an include.

A topic or language filter has dozens of options on list pages every visitor opens; rendered
through templates, each option costs a loop of tags, far more than the string it makes.
klinke/templates/django/forms/widgets/select.html and input.html (which every text, number,
date, email and hidden input includes) use these; tests compare the results with Django's own
templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: Mapping[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    return "".join(parts)


@register.simple_tag
def select_options(optgroups: Iterable[tuple[Any, list[dict[str, Any]], int]]) -> SafeString:
    """What select.html's loop over `widget.optgroups` writes, as one string."""
    parts = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            parts.append("\n  ")
            if option["template_name"] == OPTION_TEMPLATE:
                value = conditional_escape(str(option["value"]))
                label = conditional_escape(option["label"])
                parts.append(f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n')
            else:
                parts.append(render_to_string(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # every value above is escaped


@register.simple_tag
def widget_attrs(attrs: Mapping[str, Any]) -> SafeString:
    """What django/forms/widgets/attrs.html writes for `attrs`, as one string."""
    return mark_safe(_attrs(attrs))  # every name and value is escaped
