"""Every page kind carries the strict security headers and loads nothing from another host.

The pages are generated from the URL resolver: every named route whose arguments can be filled
with an object of the demo network, asked for by an anonymous visitor and by a member of the
demo collective who is also a steward, in German and English. Error pages (404, 403) and htmx
partials are asked for too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from klinke.accounts.models import User
from klinke.collectives.models import Collective
from klinke.core.tests.pages import load_demo, page_urls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_hashing(settings: Any) -> None:
    """The demo creates dozens of logins; argon2 would make each run take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo() -> tuple[Collective, User]:
    return load_demo()


def pages(client: Client, urls: list[str], language: str) -> Iterator[tuple[str, Any]]:
    for url in urls:
        yield url, client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        # The htmx partial of the same view, where there is one.
        yield (
            f"{url} (htmx)",
            client.get(url, HTTP_ACCEPT_LANGUAGE=language, HTTP_HX_REQUEST="true"),
        )


REQUIRED_HEADERS = {
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def header_problems(response: Any) -> list[str]:
    problems = []
    csp = policy(response)
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    for directive, sources in expected.items():
        if csp.get(directive) != sources:
            problems.append(f"{directive} is {csp.get(directive)}")
    for directive in ["script-src", "style-src"]:
        sources = csp.get(directive, csp.get("default-src", []))
        if {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources):
            problems.append(f"{directive} allows {sources}")
    for name, value in REQUIRED_HEADERS.items():
        if response.headers.get(name) != value:
            problems.append(f"{name} is {response.headers.get(name)!r}")
    permissions = response.headers.get("Permissions-Policy", "")
    problems += [f"{f} not denied" for f in DENIED_FEATURES if f"{f}=()" not in permissions]
    return problems


def test_it_denies_framing_and_inline_script_on_the_403_page(demo):
    collective, _member = demo
    outsider = Client()
    outsider.force_login(User.objects.create_user(email="nobody@example.org", password="x"))

    response = outsider.get(reverse("collectives:edit", args=[collective.slug]))

    assert response.status_code in {403, 404}
    assert header_problems(response) == []


EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?"
    r"\b(?:src|href|srcset|data)\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)


def foreign_references(html: str) -> list[str]:
    return [url for url in EXTERNAL.findall(html) if urlsplit(url).hostname not in {"testserver"}]


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_sends_strict_headers_and_loads_nothing_from_another_host_on_every_page_kind(
    demo, language
):
    # One walk for both: each page is asked for once, its headers and its HTML checked.
    collective, member = demo
    urls = [*page_urls(collective), reverse("api-1.0.0:openapi-view")]
    member_client = Client()
    member_client.force_login(member)
    header_failures: dict[str, list[str]] = {}
    foreign: dict[str, list[str]] = {}
    statuses: dict[int, int] = {}
    content_types: set[str] = set()
    checked = 0
    for client in [Client(), member_client]:
        for url, response in pages(client, urls, language):
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            content_types.add(response.headers.get("Content-Type", "").split(";")[0])
            if found := header_problems(response):
                header_failures[url] = found
            # Error pages count too (a 404 page may not load a font from a CDN either); the
            # walk must still have reached the real pages, not only their error answers.
            if "html" not in response.headers.get("Content-Type", ""):
                continue
            checked += 1
            if references := foreign_references(response.content.decode()):
                foreign[url] = references

    assert header_failures == {}
    assert foreign == {}
    # The walk reached the page kinds it is meant to cover, not only redirects and 404s.
    assert len(urls) > 120
    assert statuses[200] > 150
    assert checked > 150
    assert {302, 403, 404, 405} <= set(statuses)
    assert {"text/html", "application/json", "text/calendar", "text/csv"} <= content_types


def test_it_serves_the_api_docs_from_klinke_itself(client):
    response = client.get(reverse("api-1.0.0:openapi-view"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert foreign_references(html) == []
    assert header_problems(response) == []


def test_it_notices_a_script_from_a_cdn():
    assert foreign_references('<script src="https://cdn.example.net/x.js"></script>') == [
        "https://cdn.example.net/x.js"
    ]
    assert foreign_references('<link rel="stylesheet" href="//fonts.example.com/a.css">') == [
        "//fonts.example.com/a.css"
    ]
    assert foreign_references('<a href="https://example.org/">a link is fine</a>') == []
