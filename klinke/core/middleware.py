"""Middleware of klinke's own: response headers Django's SecurityMiddleware does not set, the
input rule of `klinke.core.text` for the URL, and the signed-in user kept between requests.

A NUL in the path or the query is refused. Bodies are checked by the forms and the API's input
schemas; the URL reaches views and API endpoints as plain strings (a `?collective=` filter, a slug
in the path), where a NUL would end in PostgreSQL and a server error. Refusing it before any view
runs covers every one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
)
from django.utils.functional import SimpleLazyObject

from klinke.core import fragments
from klinke.core.models import Visitor
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


class KeptUserMiddleware(AuthenticationMiddleware):
    """Django's `AuthenticationMiddleware`, whose `request.user` each web process keeps for a
    session until the user table changes (`klinke.core.fragments.kept_value`; the session is
    itself kept until the session table changes, and read first).

    The user is what `django.contrib.auth.get_user` returned for the same session row and the
    same user row, checks of the session's hash included, so keeping it decides nothing anew.
    What is kept are the row's values; each request gets its own user object built from them,
    as a query would build it."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _kept_user(request))  # type: ignore[assignment]


UserRow = tuple[str, tuple[Any, ...]]
"""The database alias and the concrete field values of a user row."""


def _kept_user(request: HttpRequest) -> Visitor:
    cached: Visitor | None = getattr(request, "_cached_user", None)
    if cached is not None:
        return cached
    built: list[Visitor] = []

    def build() -> UserRow | None:
        user = auth.get_user(request)
        built.append(user)
        if not user.is_authenticated or user.pk is None:
            return None
        fields = user._meta.concrete_fields
        return user._state.db or "default", tuple(getattr(user, f.attname) for f in fields)

    # Reading the session first (itself kept) makes an expired or deleted session anonymous
    # before anything kept for it could be served.
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    row = None
    if user_id is not None and session.session_key:
        key = (session.session_key, str(user_id), str(session.get(auth.HASH_SESSION_KEY)))
        row = fragments.kept_value("user", key, build, feeds_parts=False)
    if built or row is None:
        user = built[0] if built else auth.get_user(request)
    else:
        alias, values = row
        model = auth.get_user_model()
        names = [field.attname for field in model._meta.concrete_fields]
        user = model.from_db(alias, names, list(values))
    request._cached_user = user  # type: ignore[attr-defined]
    return user
