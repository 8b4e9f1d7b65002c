"""The public Murmurations profiles: one JSON document per collective, need and offer.

Each answers 404 once it is no longer published (opted out, hidden, archived, closed or
expired), which is what the index checks before it deletes a node.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from klinke.network.murmurations import profiles


def _profile(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def collective(request: HttpRequest, slug: str) -> JsonResponse:
    found = get_object_or_404(profiles.published_collectives(), slug=slug)
    return _profile(profiles.collective_profile(found))


@require_safe
def need(request: HttpRequest, ref: str) -> JsonResponse:
    return _profile(profiles.need_profile(get_object_or_404(profiles.published_needs(), ref=ref)))


@require_safe
def offer(request: HttpRequest, ref: str) -> JsonResponse:
    found = get_object_or_404(profiles.published_offers(), ref=ref)
    return _profile(profiles.offer_profile(found))


@require_safe
def index(request: HttpRequest) -> JsonResponse:
    """Every published profile's URL, for aggregators and for checking what klinke publishes."""
    return _profile({"profile_urls": profiles.profile_urls()})
