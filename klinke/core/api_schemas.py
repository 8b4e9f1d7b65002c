"""Schema pieces shared by the directory's API endpoints."""

from typing import Any

from ninja import Schema

from klinke.core.models import is_network_member


class RegionOut(Schema):
    city: str
    country: str
    nuts_code: str
    latitude: float | None
    longitude: float | None


class BilingualText(Schema):
    de: str
    en: str


class DirectoryFilter(Schema):
    q: str = ""
    topic: str = ""
    region: str = ""
    language: str = ""


def region_of(profile: Any) -> RegionOut:
    return RegionOut(
        city=profile.city,
        country=profile.country,
        nuts_code=profile.nuts_code,
        latitude=profile.latitude,
        longitude=profile.longitude,
    )


def members_view(context: Any) -> bool:
    """Whether the caller may see members-only fields (cached per request on the user)."""
    request = (context or {}).get("request")
    return request is not None and is_network_member(request.user)
