"""Who is calling the JSON API: a personal token, the browser session, or nobody."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from klinke.accounts.models import APIToken, User
from klinke.core.models import Visitor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenOrSession(HttpBearer):
    """Bearer tokens for programs; the session for the browser; anonymous reads otherwise.

    A request that sends a token which is wrong or revoked is refused rather than served
    anonymously, so a broken client notices.
    """

    def __call__(self, request: HttpRequest) -> Visitor | None:
        if request.headers.get("Authorization"):
            return super().__call__(request)
        # A browser session carries cookies a third-party page could send, so writes through
        # the session need the CSRF token, as forms do.
        unsafe = request.method not in SAFE_METHODS and request.user.is_authenticated
        if unsafe and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed; send the X-CSRFToken header.")
        return request.user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = APIToken.objects.authenticate(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            APIToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class TokenOrSessionRequired(TokenOrSession):
    """Like TokenOrSession, but anonymous callers get 401."""

    def __call__(self, request: HttpRequest) -> Visitor | None:
        user = super().__call__(request)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user
