"""The `{% url %}` tag, with the reversal remembered per process.

Django's tag calls `reverse()` on every render: about 30 µs each, and a list page renders dozens
(a link per card) on top of the layout's dozen. The URL a name and its arguments reverse to
depends only on the URLconf, the script prefix, the active language (translated routes) and the
current application namespace, so those are part of the key; only plain `str` and `int`
names and arguments are remembered, a template's string literals (SafeString) among them
(anything else, a lazy string or a model instance, is reversed as Django does). Installed as
a template builtin (settings.TEMPLATES), so it replaces Django's tag in every template
without a `{% load %}`; its syntax and errors are Django's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Library
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = Library()

# A template's string literals are SafeStrings: they reverse as the str they hold.
_PLAIN = (str, int, SafeString)


@lru_cache(maxsize=8192)
def _reversed(
    urlconf: str,
    script_prefix: str,
    language: str | None,
    current_app: str | None,
    view_name: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
) -> str:
    del script_prefix, language  # part of the key: reverse() reads them itself
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def reverse_remembered(
    view_name: str, args: list[Any], kwargs: dict[str, Any], current_app: str | None
) -> str:
    """`reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)`, remembered."""
    values = [view_name, *args, *kwargs.values()]
    if any(type(value) not in _PLAIN for value in values):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reversed(
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
        current_app,
        _plain(view_name),
        tuple(_plain(arg) for arg in args),
        tuple(sorted((name, _plain(value)) for name, value in kwargs.items())),
    )


def _plain(value: str | int) -> str | int:
    """`value` as a plain str or int (a SafeString keyed as the str it holds)."""
    return str.__str__(value) if type(value) is SafeString else value


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":  # a test may point the same module name elsewhere
        _reversed.cache_clear()


class RememberedURLNode(URLNode):
    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = reverse_remembered(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> RememberedURLNode:
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
