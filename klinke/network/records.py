"""The records of a klinke network file, as `network.schema.json` describes them.

A decoded file has these shapes only after `validate_network` accepted it; before that it is
plain JSON (`dict[str, object]`). Optional keys may be missing, as in the file.
"""

from __future__ import annotations

from typing import Required, TypedDict


class Region(TypedDict, total=False):
    city: str
    country: str
    nuts_code: str
    latitude: float | None
    longitude: float | None


class BilingualText(TypedDict, total=False):
    de: str
    en: str


class TopicRecord(TypedDict, total=False):
    slug: Required[str]
    name_en: Required[str]
    name_de: Required[str]
    kind: str
    parent: str | None


class ReferenceRecord(TypedDict, total=False):
    client_type: Required[str]
    summary: Required[str]
    year: int | None
    url: str


class CollectiveRecord(TypedDict, total=False):
    slug: Required[str]
    name: Required[str]
    description: BilingualText
    legal_form: str
    founded_year: int | None
    member_count: int | None
    region: Region
    remote_friendly: bool
    working_languages: list[str]
    website: str
    topics: list[str]
    technologies: list[str]
    references: list[ReferenceRecord]
    values_statement: str
    red_lines: str
    capacity_person_days_per_month: int | None
    visibility: str
    is_demo: bool


class SupporterRecord(TypedDict, total=False):
    slug: Required[str]
    name: Required[str]
    kind: str
    bio: BilingualText
    organisation: str
    topics: list[str]
    brokering_sectors: list[str]
    brokering_regions: list[str]
    languages: list[str]
    region: Region
    hours_per_month: int | None
    visibility: str
    is_demo: bool


class ItemOwner(TypedDict, total=False):
    """Who owns a need or offer: exactly one of the two."""

    collective: str
    supporter: str


class ExchangeItemRecord(ItemOwner, total=False):
    """A need (owned by `collective`) or an offer (owned by `collective` or `supporter`)."""

    ref: Required[str]
    title: Required[str]
    description: Required[str]
    kinds: Required[list[str]]
    topics: list[str]
    region: Region
    remote_ok: bool
    languages: list[str]
    starts_on: str | None
    ends_on: str | None
    effort_hours: int | None
    expires_on: str | None
    state: str
    outcome: str
    visibility: str
    is_demo: bool


class NetworkFile(TypedDict, total=False):
    format: Required[str]
    version: Required[int]
    topics: list[TopicRecord]
    collectives: list[CollectiveRecord]
    supporters: list[SupporterRecord]
    needs: list[ExchangeItemRecord]
    offers: list[ExchangeItemRecord]
