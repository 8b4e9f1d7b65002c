"""No form page says the same error twice for one field.

The forms are found by walking every page of the demo network (see pages.py) and posting each
page's own post form back with every visible field empty (hidden inputs such as a formset's
management form go back as they came).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import klinke
from klinke.core.tests.pages import load_demo, page_urls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class ErrorCollector(HTMLParser):
    """Collect (error list, message) pairs; a field's list is named by its id, the form's by
    "nonfield"."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[tuple[str, str]] = []
        self.lists: list[str] = []
        self.depth: list[int] = []
        self.text: list[str] = []
        self.in_item = False
        self.self_posting_forms = 0
        self.in_form = False
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        classes = attributes.get("class", "").split()
        posts_here = attributes.get("method", "").lower() == "post" and not attributes.get("action")
        if tag == "form" and posts_here:
            self.self_posting_forms += 1
            self.in_form = True
        if tag == "input" and self.in_form and attributes.get("type") == "hidden":
            self.hidden[attributes.get("name", "")] = attributes.get("value", "")
        if tag == "ul" and "errorlist" in classes:
            name = "nonfield" if "nonfield" in classes else attributes.get("id", "field")
            self.lists.append(name)
        elif tag == "li" and self.lists:
            self.in_item = True
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        if tag == "li" and self.in_item:
            self.errors.append((self.lists[-1], " ".join("".join(self.text).split())))
            self.in_item = False
        elif tag == "ul" and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        if self.in_item:
            self.text.append(data)


def parse(html: str) -> ErrorCollector:
    collector = ErrorCollector()
    collector.feed(html)
    return collector


def repeated_errors(html: str) -> list[tuple[str, str]]:
    return [error for error, times in Counter(parse(html).errors).items() if times > 1]


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_never_repeats_an_error_for_one_field_on_any_form(language):
    collective, member = load_demo()
    client = Client()
    client.force_login(member)
    problems: dict[str, list[tuple[str, str]]] = {}
    posted_with_errors = 0
    for url in page_urls(collective):
        if re.search(r"/(delete|leave|archive|revoke|regenerate|undo|withdraw|close)/", url):
            continue  # pages that confirm a removal: an empty post would carry it out
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if page.status_code != 200 or "html" not in page.headers.get("Content-Type", ""):
            continue
        form = parse(page.content.decode())
        if not form.self_posting_forms:
            continue
        # Hidden inputs (formset management forms) go back as the browser sends them.
        response = client.post(url, form.hidden, HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode() if response.status_code in {200, 400, 422} else ""
        if parse(html).errors:
            posted_with_errors += 1
        if found := repeated_errors(html):
            problems[url] = found

    assert problems == {}
    assert posted_with_errors >= 15


def test_it_notices_an_error_shown_twice():
    twice = (
        '<ul class="errorlist nonfield"><li>Describe it.</li></ul>'
        '<p><ul class="errorlist nonfield"><li>Describe it.</li></ul></p>'
        '<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>'
        '<ul class="errorlist" id="id_slug_error"><li>This field is required.</li></ul>'
    )

    assert repeated_errors(twice) == [("nonfield", "Describe it.")]


def test_it_finds_no_template_that_renders_a_forms_own_errors_twice():
    # form.as_p (and as_div, or {{ form }}) already lists the form's non-field errors; a
    # template that renders form.non_field_errors as well shows each of them twice.
    root = Path(klinke.__file__).parent
    problems = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text()
        for name in set(re.findall(r"([a-z_]+)\.non_field_errors", text)):
            if re.search(rf"\{{\{{ *{name}(\.as_p|\.as_div|\.as_table|\.as_ul)? *\}}\}}", text):
                problems.append(f"{path.relative_to(root)}: {name}")

    assert problems == []
