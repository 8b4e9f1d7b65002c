"""One-time submission tokens: a create form posted twice creates one thing.

Going back after saving and pressing "Save" again posts the same form a second time. Every
create form carries a hidden one-time token (``{% submission_token %}`` from
``klinke.core.templatetags.submissions``); a create view wrapped in
:func:`once_per_submission` remembers, in the session, where each token's successful post
led, and answers a repeated token with a redirect to the same place instead of a duplicate.
Edit forms need no token: saving the same edit twice changes nothing.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

FIELD = "submission_token"
SESSION_KEY = "klinke_submissions"
REMEMBERED = 50
"""How many recent submissions a session remembers; older tokens count as new."""

View = Callable[..., HttpResponse]


def new_token() -> str:
    return secrets.token_urlsafe(18)


def once_per_submission(view: View) -> View:
    """Answer a create form posted again with its token by the first post's redirect."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not token:
            return view(request, *args, **kwargs)
        done: dict[str, str] = dict(request.session.get(SESSION_KEY, {}))
        if token in done:
            messages.info(request, _("This was saved already, so it was not saved twice."))
            return redirect(done[token])
        response = view(request, *args, **kwargs)
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            done[token] = response["Location"]
            request.session[SESSION_KEY] = dict(list(done.items())[-REMEMBERED:])
        return response

    return wrapper
