"""The CSS a page loads stays small: under 30 kB compressed, from klinke's own design system.

Every page links klinke.css from base.html and no app brings a stylesheet of its own; the test
reads the stylesheets the rendered pages link and gzips what one page would download.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from klinke.core.tests.test_template_scripts import ROOT, templates

BUDGET = 30 * 1024
# Documents that are not web pages: WeasyPrint renders an estimate's PDF with its own print
# stylesheet, fetched only from the app's static files (estimates/pdf.py).
PRINT_DOCUMENTS = {"estimates/templates/estimates/pdf.html"}
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def linked_css(html: str) -> list[str]:
    return STYLESHEET.findall(html)


def compressed_size(urls: list[str]) -> int:
    from django.conf import settings

    css = b""
    for url in urls:
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, url
        with open(path, "rb") as file:
            css += file.read()
    return len(gzip.compress(css, compresslevel=9))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/exchange/", "/knowledge/", "/accounts/login/"])
def test_it_loads_less_than_30_kb_of_compressed_css_on_a_page(url):
    response = Client().get(url)

    assert response.status_code == 200
    stylesheets = linked_css(response.content.decode())
    assert stylesheets == ["/static/klinke/klinke.css"]
    assert compressed_size(stylesheets) < BUDGET


def test_it_links_no_app_stylesheet_from_any_template():
    own = [
        str(path.relative_to(ROOT))
        for path in templates()
        if "stylesheet" in path.read_text()
        and path.relative_to(ROOT).parts[0] != "templates"
        and str(path.relative_to(ROOT)) not in PRINT_DOCUMENTS
    ]

    assert own == []


def test_it_defines_the_design_systems_tokens_and_components():
    path = finders.find("klinke/klinke.css")
    assert path
    with open(path, encoding="utf-8") as file:
        css = file.read()

    for token in ["--ink", "--accent", "--space-4", "--step-1", "--radius"]:
        assert f"{token}:" in css
    for component in [".button", ".card", ".tag", ".table-scroll", ".empty", ".board", "fieldset"]:
        assert component in css
