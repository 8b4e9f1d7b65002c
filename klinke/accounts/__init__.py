"""People, their logins and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from klinke.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a request that has already required a login.

    Views behind `login_required` and API operations behind an auth class that refuses
    anonymous callers always have one; anything else is a programming error, refused as 403.
    """
    from klinke.accounts.models import User  # the app registry is not ready at import time

    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Log in first.")
    return user
