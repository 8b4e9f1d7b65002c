"""The request type of views that answer htmx requests with a partial.

`django_htmx.middleware.HtmxMiddleware` sets `request.htmx` on every request; this type tells
mypy so, and is the one way klinke asks whether a request came from htmx.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
