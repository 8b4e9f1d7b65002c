"""Every date and time input of every form renders and reads ISO 8601 in both languages.

Browsers only read ISO values in ``type=date``/``time``/``datetime-local``; a localized
``06.03.2027`` comes up as an empty field (and a post then fails with "required").
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

import klinke

ISO_VALUE = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"),
}
SAMPLE: dict[type[forms.Field], date | time | datetime] = {
    forms.DateField: date(2027, 3, 6),
    forms.TimeField: time(9, 30),
    forms.DateTimeField: datetime(2027, 3, 6, 9, 30),
}
POSTED = {"date": "2027-03-06", "time": "09:30", "datetime-local": "2027-03-06T09:30"}
KLINKE_ROOT = Path(klinke.__file__).parent


def project_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.iter_modules([str(KLINKE_ROOT)]):
        if (KLINKE_ROOT / module.name / "forms.py").exists():
            importlib.import_module(f"klinke.{module.name}.forms")
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("klinke.") and sub not in found:
                found.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def temporal_fields() -> list[tuple[str, str]]:
    return [
        (f"{form.__module__}.{form.__qualname__}", name)
        for form in project_form_classes()
        for name, field in fields_of(form).items()
        if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField)
    ]


def fields_of(form: type[forms.BaseForm]) -> dict[str, forms.Field]:
    # The declarative metaclasses put base_fields on every form class; the stubs do not say so.
    # Mixins such as CleanTextInputs derive from BaseForm without that metaclass: no fields.
    fields: dict[str, forms.Field] = form.__dict__.get("base_fields", {})
    return fields


def form_named(qualified: str) -> type[forms.BaseForm]:
    return next(
        f for f in project_form_classes() if f"{f.__module__}.{f.__qualname__}" == qualified
    )


def sample_for(field: forms.Field) -> date | time | datetime:
    return next(value for kind, value in SAMPLE.items() if isinstance(field, kind))


def test_it_discovers_the_date_fields_of_the_project() -> None:
    found = temporal_fields()
    names = {f"{form.rsplit('.', 1)[-1]}.{name}" for form, name in found}
    # A guard against a discovery that silently finds nothing.
    assert {"NeedForm.expires_on", "OfferForm.starts_on", "EventForm.start_time"} <= names
    assert {"LeadForm.next_action_due", "DecisionForm.deadline", "ContactForm.consent_on"} <= names


@pytest.mark.parametrize(("form_name", "field_name"), temporal_fields())
@pytest.mark.parametrize("language", ["de", "en"])
def test_it_renders_every_date_and_time_field_as_iso(
    form_name: str, field_name: str, language: str
) -> None:
    field = fields_of(form_named(form_name))[field_name]
    widget = field.widget
    assert isinstance(widget, forms.widgets.Input)
    assert widget.input_type in ISO_VALUE, f"{form_name}.{field_name} is a plain text input"
    with translation.override(language):
        html = widget.render(field_name, sample_for(field))
    value = re.search(r'value="([^"]*)"', html)
    assert value is not None, html
    assert ISO_VALUE[widget.input_type].match(value.group(1)), html


@pytest.mark.parametrize(("form_name", "field_name"), temporal_fields())
@pytest.mark.parametrize("language", ["de", "en"])
def test_it_reads_what_the_browser_posts_in_every_language(
    form_name: str, field_name: str, language: str
) -> None:
    field = fields_of(form_named(form_name))[field_name]
    assert isinstance(field.widget, forms.widgets.Input)
    with translation.override(language):
        cleaned = field.clean(POSTED[field.widget.input_type])
    assert cleaned == sample_for(field) or (
        isinstance(cleaned, datetime) and cleaned.replace(tzinfo=None) == sample_for(field)
    )


STOCK_TEMPORAL_WIDGET = re.compile(r"forms\.(DateInput|DateTimeInput|TimeInput|SplitDateTime)")


def test_it_builds_date_inputs_only_from_the_iso_widgets() -> None:
    # Widgets swapped in a form's __init__ escape the checks over base_fields above.
    offenders = [
        str(path.relative_to(KLINKE_ROOT))
        for path in KLINKE_ROOT.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "widgets.py"
        and STOCK_TEMPORAL_WIDGET.search(path.read_text())
    ]
    assert offenders == []


def test_it_walks_every_form_with_a_date_in_the_browser_test() -> None:
    from klinke.core.tests.test_browser_forms import FORMS_WALKED

    assert {form for form, _field in temporal_fields()} == FORMS_WALKED
