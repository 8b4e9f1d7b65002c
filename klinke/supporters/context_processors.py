"""Whether the visitor has a supporter profile, for the navigation ("My supporter profile")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from klinke.supporters.models import Supporter

SESSION_KEY = "klinke_has_supporter_profile"
"""Remembered in the session, so pages ask the database once per session, not per page."""


def remember_supporter_profile(request: HttpRequest, *, has_one: bool) -> None:
    request.session[SESSION_KEY] = has_one


def supporter_profile(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    def has_supporter_profile() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        known = request.session.get(SESSION_KEY)
        if known is None:
            known = Supporter.objects.filter(user_id=user.pk).exists()
            remember_supporter_profile(request, has_one=known)
        return bool(known)

    # A callable: the template asks only when a page shows the navigation.
    return {"has_supporter_profile": has_supporter_profile}
