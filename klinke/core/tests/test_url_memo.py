"""The remembering {% url %} tag renders exactly what Django's tag renders, for every named
route of the project, and keys what it remembers on all that a reversal depends on."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, get_resolver, reverse, set_script_prefix
from django.utils import translation
from django.utils.functional import lazy as lazy_text

from klinke.core.templatetags import url_memo
from klinke.core.templatetags.url_memo import RememberedURLNode, reverse_remembered


def _render(source: str, **context: object) -> str:
    return Template("{% load i18n %}" + source).render(Context(context))


def test_it_gives_every_template_the_remembering_tag_without_loading_it() -> None:
    template = Engine.get_default().from_string("{% url 'home' %}")
    assert any(isinstance(node, RememberedURLNode) for node in template.nodelist)


def _named_routes_without_arguments() -> list[str]:
    names = []
    resolver = get_resolver()

    def walk(patterns: list, namespace: str) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name and not pattern.pattern.regex.groups:
                names.append(namespace + pattern.name)

    walk(resolver.url_patterns, "")
    return names


def test_it_renders_what_reverse_gives_for_every_route_of_the_project() -> None:
    names = _named_routes_without_arguments()
    assert len(names) > 50
    for name in names:
        try:
            expected = reverse(name)
        except NoReverseMatch:
            continue  # a name used twice, one of them with arguments
        assert _render("{% url name %}", name=name) == expected, name
        assert _render("{% url name %}", name=name) == expected, name  # remembered


def test_it_renders_arguments_keywords_as_var_and_escaping_like_django() -> None:
    assert _render("{% url 'collectives:detail' 'a-b' %}") == reverse(
        "collectives:detail", args=["a-b"]
    )
    assert _render("{% url 'collectives:detail' slug=s %}", s="x") == reverse(
        "collectives:detail", kwargs={"slug": "x"}
    )
    assert _render("{% url 'collectives:detail' s as link %}[{{ link }}]", s="y") == (
        "[" + reverse("collectives:detail", args=["y"]) + "]"
    )
    assert _render("{% url 'no-such-route' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-route' %}")
    with pytest.raises(TemplateSyntaxError):
        _render("{% url %}")


def test_it_keys_on_the_script_prefix_language_and_urlconf() -> None:
    plain = reverse_remembered("collectives:detail", ["z"], {}, None)
    set_script_prefix("/klinke/")
    try:
        assert reverse_remembered("collectives:detail", ["z"], {}, None) == "/klinke" + plain
    finally:
        set_script_prefix("/")
    assert reverse_remembered("collectives:detail", ["z"], {}, None) == plain
    with translation.override("en"):
        english = reverse_remembered("home", [], {}, None)
    with translation.override("de"):
        assert reverse_remembered("home", [], {}, None) == english  # no translated routes
    with override_settings(ROOT_URLCONF="klinke.core.tests.url_memo_routes"):
        assert reverse_remembered("home", [], {}, None) == "/elsewhere/"
    assert reverse_remembered("home", [], {}, None) == "/"


def test_it_reverses_other_arguments_without_remembering_them() -> None:
    url_memo._reversed.cache_clear()
    lazy = lazy_text(str, str)("x")  # a lazy string, as gettext_lazy gives
    assert reverse_remembered("collectives:detail", [lazy], {}, None) == reverse(
        "collectives:detail", args=["x"]
    )
    assert url_memo._reversed.cache_info().currsize == 0
    reverse_remembered("collectives:detail", ["x"], {}, None)
    assert url_memo._reversed.cache_info().currsize == 1


def test_it_uses_the_current_application_of_the_request() -> None:
    request = RequestFactory().get("/")
    request.current_app = "admin"
    assert Template("{% url 'admin:index' %}").render(Context({"request": request})) == reverse(
        "admin:index", current_app="admin"
    )


def test_it_remembers_the_string_literals_of_a_template() -> None:
    # A literal in a template is a SafeString (a str subclass), as are the layout's links.
    url_memo._reversed.cache_clear()
    source = "{% url 'collectives:detail' 'a-b' %}|{% url 'home' %}"
    first = _render(source)
    second = _render(source)
    info = url_memo._reversed.cache_info()
    assert first == second == reverse("collectives:detail", args=["a-b"]) + "|" + reverse("home")
    assert (info.currsize, info.hits) == (2, 2)
