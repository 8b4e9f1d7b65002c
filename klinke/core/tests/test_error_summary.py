"""Every form shows its errors in one summary at its top, linked to the fields.

A long form posted with an error far down used to come back scrolled to the top with nothing
to see: "Speichern" seemed to do nothing. The summary (core/_error_summary.html) is announced
(role=alert), takes focus (klinke/error-summary.js) and links to each field; the fields
carry aria-invalid and point at their error with aria-describedby.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

import klinke

KLINKE_ROOT = Path(klinke.__file__).parent
POST_FORM = re.compile(r'<form[^>]*method="post"')
FORM_VARIABLE = re.compile(r"\{\{ *(\w+)\.(?:as_p|as_div|as_table|as_ul|non_field_errors)")
FIELD_LOOP = re.compile(r"\{% *for \w+ in (\w+) *%\}")


def form_templates() -> list[tuple[str, str]]:
    """(template, form variable) for every Django form a POST form template renders."""
    found = []
    for path in sorted(KLINKE_ROOT.rglob("templates/**/*.html")):
        text = path.read_text()
        if not POST_FORM.search(text):
            continue
        names = set(FORM_VARIABLE.findall(text))
        names |= {n for n in FIELD_LOOP.findall(text) if n.endswith("form")}
        found += [(str(path.relative_to(KLINKE_ROOT)), name) for name in sorted(names)]
    return found


def test_it_finds_the_form_templates() -> None:
    templates = {template for template, _name in form_templates()}
    assert len(templates) >= 25
    assert "exchange/templates/exchange/item_form.html" in templates


@pytest.mark.parametrize(("template", "form"), form_templates())
def test_it_puts_the_error_summary_on_every_form(template: str, form: str) -> None:
    text = (KLINKE_ROOT / template).read_text()
    include = f'{{% include "core/_error_summary.html" with form={form} %}}'
    assert include in text


def test_it_loads_the_summary_script_as_a_static_file() -> None:
    base = (KLINKE_ROOT / "templates" / "base.html").read_text()
    assert re.search(r"<script src=\"\{% static 'klinke/error-summary.js' %\}\" defer>", base)
    script = (KLINKE_ROOT / "core" / "static" / "klinke" / "error-summary.js").read_text()
    assert "htmx:load" in script and "DOMContentLoaded" in script


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_it_links_the_summary_to_fields_marked_invalid(network: Any, language: str) -> None:
    client = network.client_for(network.alice)
    response = client.post(
        reverse("exchange:need_create", args=["quellcode"]),
        {"title": "", "description": "x", "starts_on": "2027-03-06", "ends_on": "2027-03-01"},
        headers={"accept-language": language},
    )
    html = response.content.decode()

    assert response.status_code == 200
    summary = re.search(r"<div class=\"error-summary\"[^>]*>(.*?)</div>", html, re.S)
    assert summary is not None
    assert 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#(id_\w+)">', summary.group(1))
    assert {"id_title", "id_ends_on", "id_kind_choices"} <= set(links)
    for field_id in links:
        assert f'id="{field_id}"' in html, field_id
        error_list = f'id="{field_id}_error"'
        assert error_list in html, field_id
    for field in ("title", "ends_on"):
        control = re.search(rf"<(?:input|textarea)[^>]*id=\"id_{field}\"[^>]*>", html)
        assert control is not None
        assert 'aria-invalid="true"' in control.group(0)
        assert re.search(rf'aria-describedby="[^"]*id_{field}_error', control.group(0))
    # The summary comes before the first field.
    assert html.index("error-summary") < html.index('id="id_title"')
