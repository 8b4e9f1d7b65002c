"""Middleware of klinke's own: response headers Django's SecurityMiddleware does not set, and the
input rule of `klinke.core.text` for the URL.

A NUL in the path or the query is refused. Bodies are checked by the forms and the API's input
schemas; the URL reaches views and API endpoints as plain strings (a `?collective=` filter, a slug
in the path), where a NUL would end in PostgreSQL and a server error. Refusing it before any view
runs covers every one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
)

from klinke.core.text import NUL_MESSAGE, has_nul

API_PREFIX = "/api/"


class PermissionsPolicyMiddleware:
    """Deny the browser features in settings.PERMISSIONS_POLICY to every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def _nul_location(request: HttpRequest) -> list[str] | None:
    if has_nul(request.path):
        return ["path"]
    for name, values in request.GET.lists():
        if has_nul(name) or any(has_nul(value) for value in values):
            return ["query", name.replace("\x00", "")]
    return None


class RefuseNulInURL:
    """422 naming the parameter for the API (as its validation errors), 400 for pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        location = _nul_location(request)
        if location is None:
            return self.get_response(request)
        response: HttpResponse
        if request.path.startswith(API_PREFIX):
            error = {"type": "value_error", "loc": location, "msg": f"Value error, {NUL_MESSAGE}"}
            response = JsonResponse({"detail": [error]}, status=422)
        else:
            response = HttpResponseBadRequest(f"{' '.join(location)}: {NUL_MESSAGE}")
        return response
