"""The one input rule (klinke.core.text) in web forms, the contact imports and the page searches."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.test import Client

from klinke.conftest import Network
from klinke.contacts.models import Contact
from klinke.contacts.parsers import parse_vcards
from klinke.core.forms import CleanTextInputs
from klinke.core.tests.api_seed import API, TokenCaller, token_for
from klinke.core.tests.test_api_input_rules import HOSTILE_QUERIES
from klinke.core.text import BIDI_CONTROLS, clean_text


def _form_classes() -> Iterator[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("klinke."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and cls is not CleanTextInputs
                # A mixin such as contacts' CountryCode is no form of its own: only classes the
                # declarative metaclass built have fields (and are what pages bind).
                and "base_fields" in cls.__dict__
            ):
                yield cls


FORM_CLASSES = sorted(_form_classes(), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_it_removes_every_bidi_control_and_keeps_joiners_and_line_breaks() -> None:
    for control in BIDI_CONTROLS:
        assert clean_text(f"Ma{control}ria") == "Maria"
    assert clean_text("a\u200bb\ufeffc\x07d\x00e") == "abcde"
    assert clean_text("👩\u200d💻 Zeile\neins\tzwei\r\n") == "👩\u200d💻 Zeile\neins\tzwei\r\n"


def test_it_finds_the_form_classes() -> None:
    assert len(FORM_CLASSES) > 40


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_it_builds_every_form_on_the_input_rule(form_class: type[forms.BaseForm]) -> None:
    assert issubclass(form_class, CleanTextInputs)


def _bound(form_class: type[forms.BaseForm], data: dict[str, Any]) -> forms.BaseForm | None:
    try:
        return form_class(data)
    except TypeError:
        return None  # needs more than data (a collective, a user); covered through its view
    except ValueError:
        return None  # an abstract model form (no model); its subclasses are covered


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_it_refuses_a_nul_in_every_field_of_every_form(form_class: type[forms.BaseForm]) -> None:
    form = _bound(form_class, {})
    if form is None:
        pytest.skip("needs constructor arguments")
    for name in form.fields:
        form = _bound(form_class, {name: "a\x00"})
        assert form is not None
        assert not form.is_valid()
        assert "Null characters are not allowed." in form.errors.get(name, []), (name, form.errors)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_it_strips_bidi_controls_from_every_text_field_of_every_form(
    form_class: type[forms.BaseForm],
) -> None:
    form = _bound(form_class, {})
    if form is None:
        pytest.skip("needs constructor arguments")
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        form = _bound(form_class, {name: "Ma\u202eria"})
        assert form is not None
        form.is_valid()
        value = form.cleaned_data.get(name)
        if isinstance(value, str):
            assert "\u202e" not in value, name


def test_it_strips_bidi_controls_in_the_contact_form_and_the_api_alike(network: Network) -> None:
    client = network.client_for(network.alice)
    response = client.post(
        f"/collectives/{network.collective_a.slug}/contacts/new/",
        {"full_name": "Eve \u202egnp.exe", "given_name": "", "family_name": ""},
    )
    assert response.status_code in (200, 302)
    api = TokenCaller(token_for(network.alice))
    created = api.create(
        f"/workbench/{network.collective_a.slug}/contacts", {"full_name": "Mallory \u2066x\u2069"}
    )
    assert created["full_name"] == "Mallory x"
    for contact in Contact.objects.all():
        assert not BIDI_CONTROLS & set(contact.full_name + contact.given_name)


def test_it_strips_bidi_controls_in_imports_with_the_same_function() -> None:
    records = parse_vcards(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eve \xe2\x80\xaeX\r\nEND:VCARD\r\n")
    assert records[0].full_name == "Eve X"


def test_it_refuses_a_nul_in_an_api_body_on_this_database(network: Network) -> None:
    api = TokenCaller(token_for(network.alice))
    for path, body in [
        (f"/workbench/{network.collective_a.slug}/contacts", {"full_name": "A", "notes": "\x00"}),
        ("/knowledge/articles", {"title": "T", "body": "a\x00b", "language": "de"}),
    ]:
        response = api.call("POST", path, body)
        assert response.status_code == 422, response.content
    assert not Contact.objects.exists()


def _page_searches(network: Network) -> list[str]:
    group = network.collective_a.slug
    return [
        "/directory/",
        "/knowledge/",
        "/knowledge/questions/",
        "/workshops/",
        "/workshops/ideas/",
        f"/collectives/{group}/contacts/",
        f"/collectives/{group}/contacts/organisations/",
        f"/collectives/{group}/workbench/",
        f"/collectives/{group}/workbench/leads/",
    ]


@pytest.mark.parametrize("language", ["en", "de"])
def test_it_answers_hostile_queries_in_every_search_box_of_the_pages(
    network: Network, language: str
) -> None:
    member = network.client_for(network.alice)
    member.cookies["django_language"] = language
    anonymous = Client()
    for url in _page_searches(network):
        for text in HOSTILE_QUERIES:
            for client in (member, anonymous):
                response = client.get(url, {"q": text})
                # Anonymous visitors are sent to log in for members-only pages; a NUL in the
                # URL is refused before any view.
                allowed = (400,) if "\x00" in text else (200, 302)
                assert response.status_code in allowed, (url, text[:40], response.status_code)


def test_it_answers_stop_word_only_searches_of_the_knowledge_base(network: Network) -> None:
    for text in ("the", "und", "die", "OR"):
        assert Client().get("/knowledge/", {"q": text}).status_code == 200
        assert Client().get(f"{API}/knowledge/articles", {"q": text}).status_code == 200
