"""What klinke publishes as Murmurations profiles, built only from already-public data.

Murmurations (https://murmurations.network) maps cooperatives and their offers across networks:
each node serves JSON profiles at stable URLs and tells an index where they are. klinke
publishes
- every public, active collective that has not opted out (`publish_to_murmurations`) as an
  `organizations_schema-v1.0.0` profile;
- every current public need and offer of such a collective as an `offers_wants_schema-v0.1.0`
  profile ("want" / "offer").

Supporters' offers are not published: a supporter is often one person, and the opt-out exists
for collectives only. Members-only fields (red lines, capacity, members) never appear, and a
profile links back to the public klinke page where people can ask for an introduction; no email
address or phone number is published.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from klinke.collectives.models import Collective
from klinke.core.models import Visibility
from klinke.exchange.models import ExchangeItem, Need, Offer

SCHEMA_DIR = Path(__file__).with_name("schemas")
ORGANISATION_SCHEMA = "organizations_schema-v1.0.0"
OFFERS_WANTS_SCHEMA = "offers_wants_schema-v0.1.0"
DEFAULT_SCHEMA = "default-v2.1.0"
FALLBACK_TAG = "tech collective"


@cache
def schema(name: str) -> dict[str, Any]:
    """A dereferenced Murmurations schema shipped with klinke (see schemas/README.txt)."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.dereferenced.json").read_text())
    return data


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- what is published ---------------------------------------------------------------------


def published_collectives() -> QuerySet[Collective]:
    return (
        Collective.objects.active()
        .filter(visibility=Visibility.PUBLIC, publish_to_murmurations=True)
        .prefetch_related("topics")
        .order_by("slug")
    )


def published_needs() -> QuerySet[Need]:
    return (
        Need.objects.current()
        .filter(visibility=Visibility.PUBLIC, collective__in=published_collectives())
        .prefetch_related("topics")
        .order_by("ref")
    )


def published_offers() -> QuerySet[Offer]:
    return (
        Offer.objects.current()
        .filter(visibility=Visibility.PUBLIC, collective__in=published_collectives())
        .prefetch_related("topics")
        .order_by("ref")
    )


def collective_profile_url(collective: Collective) -> str:
    return absolute(reverse("murmurations:collective", args=[collective.slug]))


def need_profile_url(need: Need) -> str:
    return absolute(reverse("murmurations:need", args=[need.ref]))


def offer_profile_url(offer: Offer) -> str:
    return absolute(reverse("murmurations:offer", args=[offer.ref]))


def profile_urls() -> list[str]:
    """Every published profile's URL, for registering with an index."""
    return [
        *(collective_profile_url(c) for c in published_collectives()),
        *(need_profile_url(n) for n in published_needs()),
        *(offer_profile_url(o) for o in published_offers()),
    ]


# --- building profiles ---------------------------------------------------------------------


def _tags(*groups: list[str]) -> list[str]:
    tags: list[str] = []
    for group in groups:
        for tag in group:
            tag = tag.strip()[:100]
            if tag and tag not in tags:
                tags.append(tag)
    return tags[:100] or [FALLBACK_TAG]


def _geolocation(latitude: float | None, longitude: float | None) -> dict[str, float] | None:
    if latitude is None or longitude is None:
        return None
    return {"lat": latitude, "lon": longitude}


def _country(code: str) -> str | None:
    allowed = schema(ORGANISATION_SCHEMA)["properties"]["country_iso_3166"]["enum"]
    code = code.strip().upper()
    return code if code in allowed else None


def collective_profile(collective: Collective) -> dict[str, Any]:
    page = absolute(collective.get_absolute_url())
    website = collective.website if collective.website.startswith(("https://", "http://")) else ""
    profile: dict[str, Any] = {
        "linked_schemas": [ORGANISATION_SCHEMA],
        "name": collective.name[:200],
        "primary_url": website or page,
        "tags": _tags(
            [topic.name_en for topic in collective.topics.all()], collective.technology_list
        ),
        "description": collective.description_en or collective.description_de,
        "urls": [{"name": "klinke", "url": page}],
        "status": "active",
        "geographic_scope": "international" if collective.remote_friendly else "regional",
    }
    if country := _country(collective.country):
        profile["country_iso_3166"] = country
    if collective.city:
        profile["locality"] = collective.city
    if location := _geolocation(collective.latitude, collective.longitude):
        profile["geolocation"] = location
    if collective.founded_year:
        profile["starts_at"] = int(datetime(collective.founded_year, 1, 1, tzinfo=UTC).timestamp())
    return profile


def _item_profile(item: ExchangeItem, exchange_type: str, page: str) -> dict[str, Any]:
    topics = [topic.name_en for topic in item.topics.all()]  # type: ignore[attr-defined]
    scope = "international" if item.remote_ok else ("local" if item.city else "national")
    profile: dict[str, Any] = {
        "linked_schemas": [OFFERS_WANTS_SCHEMA],
        "exchange_type": exchange_type,
        "item_type": "service",
        # Help between collectives in klinke is given, not sold.
        "transaction_type": ["receive-donate"],
        "tags": _tags(topics),
        "title": item.title,
        "description": item.description,
        "details_url": page,
        "geographic_scope": scope,
        "contact_details": {"contact_form": page},
        "expires_at": int(datetime.combine(item.expires_on, time.max, tzinfo=UTC).timestamp()),
    }
    if location := _geolocation(item.latitude, item.longitude):
        profile["geolocation"] = location
    return profile


def need_profile(need: Need) -> dict[str, Any]:
    return _item_profile(need, "want", absolute(need.get_absolute_url()))


def offer_profile(offer: Offer) -> dict[str, Any]:
    return _item_profile(offer, "offer", absolute(offer.get_absolute_url()))
