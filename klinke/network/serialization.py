"""The klinke network file: JSON that carries topics, collectives and supporters.

`docs/network-format.md` documents it and `network.schema.json` pins it. Import is atomic and
idempotent by slug: running the same file twice changes nothing the second time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from klinke.collectives.models import Collective, Reference
from klinke.core.models import Visibility
from klinke.exchange.models import ExchangeItem, Need, Offer
from klinke.network.records import (
    CollectiveRecord,
    ExchangeItemRecord,
    ItemOwner,
    NetworkFile,
    Region,
    SupporterRecord,
    TopicRecord,
)
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

SCHEMA_PATH = Path(__file__).with_name("network.schema.json")
FORMAT_NAME = "klinke-network"
FORMAT_VERSION = 1


class NetworkFileError(Exception):
    """A network file that cannot be imported; the message names the record and field."""


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    """Summaries of demo content added by other apps."""

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def __str__(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        parts = [
            f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated"
            for kind in kinds
        ]
        return ", ".join(parts + self.extra) or "nothing to import"


@cache
def network_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return schema


# No field of the format nests deeper than a few levels, and no number in it needs more
# digits than a year or a coordinate; anything beyond is a broken or hostile file.
MAX_DEPTH = 16
MAX_NUMBER_DIGITS = 30
_SHOWN_CHARACTERS = 60


class _NumberTooLong(ValueError):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text[:_SHOWN_CHARACTERS])


class _NotANumber(ValueError):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)


def _shown(value: object) -> str:
    """A value quoted for a message, cut short: the file may hold 100,000-character strings."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARACTERS else text[:_SHOWN_CHARACTERS] + "…"


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(text)
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise _NumberTooLong(text)
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(text)
    return value


def _parse_constant(text: str) -> float:
    raise _NotANumber(text)


def _position(raw: bytes, offset: int) -> str:
    """ "line 3, column 14" for a byte offset (columns counted in bytes)."""
    offset = max(0, min(offset, len(raw)))
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep_at(raw: bytes) -> int:
    """The offset of the first bracket nested deeper than MAX_DEPTH (strings skipped)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(raw):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif char in (b"]", b"}"):
            depth -= 1
    return len(raw)


def parse_network_json(raw: bytes, name: str = "the file") -> dict[str, object]:
    """The decoded file; NetworkFileError (naming line and column) for text that is not JSON,
    nests too deeply, or holds numbers no field of the format can take."""
    try:
        data = json.loads(
            raw,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except RecursionError as exc:
        raise NetworkFileError(
            f"{name}, {_position(raw, _too_deep_at(raw))}: nested more than {MAX_DEPTH} levels deep"
        ) from exc
    except _NumberTooLong as exc:
        raise NetworkFileError(
            f"{name}, {_position(raw, raw.find(exc.text.encode()))}: a number with "
            f"{len(exc.text)} characters; no field takes more than {MAX_NUMBER_DIGITS} digits"
        ) from exc
    except _NotANumber as exc:
        raise NetworkFileError(
            f"{name}, {_position(raw, raw.find(exc.text.encode()))}: "
            f"{exc.text[:_SHOWN_CHARACTERS]!r} is not a finite number"
        ) from exc
    except json.JSONDecodeError as exc:
        raise NetworkFileError(f"{name} is not valid JSON: {exc}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise NetworkFileError(f"{name} is not valid JSON in UTF-8: {exc}") from exc
    if not isinstance(data, dict):
        raise NetworkFileError(f"{name}: the top level must be an object")
    return cast(dict[str, object], data)


def read_network_file(path: Path) -> dict[str, object]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NetworkFileError(f"cannot read {path}: {exc.strerror}") from exc
    return parse_network_json(raw, str(path))


def _place(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the top level"


def check_plain_json(data: object) -> None:
    """Refuse what JSON allows but no field can hold, naming the place: nesting deeper than
    MAX_DEPTH, lone surrogates (``\\ud800``, not text in any encoding), NUL characters (which
    PostgreSQL refuses), numbers that are not finite or have too many digits. Iterative, so
    that a deep structure built in Python cannot exhaust the stack here either."""
    stack: list[tuple[object, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise NetworkFileError(f"{_place(path)}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise NetworkFileError(f"{_place(path)}: a key is not text")
                _check_text(key, path, "a key")
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path, "the text")
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) >= 10**MAX_NUMBER_DIGITS:
                raise NetworkFileError(
                    f"{_place(path)}: the number is longer than {MAX_NUMBER_DIGITS} digits"
                )
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise NetworkFileError(f"{_place(path)}: the number is not finite")
        else:
            raise NetworkFileError(f"{_place(path)}: {type(value).__name__} is not JSON")


def _check_text(text: str, path: Sequence[str | int], what: str) -> None:
    if "\x00" in text:
        raise NetworkFileError(f"{_place(path)}: {what} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        character = text[exc.start]
        raise NetworkFileError(
            f"{_place(path)}: {what} contains a lone surrogate "
            f"({ascii(character)[1:-1]}), which is not a character"
        ) from exc


def _describe_location(data: Mapping[str, object], path: Iterable[str | int]) -> str:
    parts = list(path)
    if len(parts) >= 2 and isinstance(parts[0], str) and isinstance(parts[1], int):
        section, index = parts[0], parts[1]
        records = data.get(section, [])
        # The schema error's path leads into the data, so the record is there.
        record = records[index] if isinstance(records, list) else None
        slug = record.get("slug") or record.get("ref") if isinstance(record, dict) else None
        where = f"{section}[{index}]" + (f" ({_shown(slug)})" if slug else "")
        field_path = ".".join(str(p) for p in parts[2:])
        return f"{where}, field {_shown(field_path)}" if field_path else where
    return ".".join(str(p) for p in parts) or "the file"


def _in_file_order(path: Iterable[str | int]) -> list[tuple[int, int, str]]:
    """A sort key that puts record 2 before record 10 (a string sort puts "10" first)."""
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path]


def _schema_message(error: jsonschema.ValidationError) -> str:
    """The schema's message, except for "exactly one of" rules (an offer's owner), where
    jsonschema would print the whole record and not say which keys are meant."""
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        keys = sorted(
            {key for option in error.validator_value for key in option.get("required", [])}
        )
        if keys:
            given = [key for key in keys if key in error.instance]
            names = " or ".join(repr(key) for key in keys)
            return f"give either {names}, " + ("not both" if given else "one of them is missing")
    message = str(error.message)
    # jsonschema quotes the whole value; a 100,000-character string is not a message.
    shown = repr(error.instance)
    if len(shown) > _SHOWN_CHARACTERS and shown in message:
        message = message.replace(shown, shown[:_SHOWN_CHARACTERS] + "…")
    return message


def validate_network(data: Mapping[str, object]) -> NetworkFile:
    """Check the file against the schema and its references between records; the file,
    now known to have the schema's shape."""
    check_plain_json(data)
    validator = jsonschema.Draft202012Validator(
        network_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: _in_file_order(e.absolute_path))
    if errors:
        first = errors[0]
        where = _describe_location(data, first.absolute_path)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise NetworkFileError(f"{where}: {_schema_message(first)}{more}")
    network = cast(NetworkFile, data)

    known_topics = set(Topic.objects.values_list("slug", flat=True))
    known_topics |= {t["slug"] for t in network.get("topics", [])}
    for index, topic in enumerate(network.get("topics", [])):
        parent = topic.get("parent")
        if parent and parent not in known_topics:
            raise NetworkFileError(
                f"topics[{index}] ({_shown(topic['slug'])}), field 'parent': unknown topic "
                f"{_shown(parent)}"
            )
    _check_slugs_and_topics(
        "topics", [(t["slug"], []) for t in network.get("topics", [])], known_topics
    )
    _check_slugs_and_topics(
        "collectives",
        [(c["slug"], c.get("topics", [])) for c in network.get("collectives", [])],
        known_topics,
    )
    _check_slugs_and_topics(
        "supporters",
        [(s["slug"], s.get("topics", [])) for s in network.get("supporters", [])],
        known_topics,
    )
    _validate_exchange_items(network)
    return network


def _check_slugs_and_topics(
    section: str, records: list[tuple[str, list[str]]], known_topics: set[str]
) -> None:
    """Each (slug, topic slugs) of a section: slugs unique, topics known."""
    seen: set[str] = set()
    for index, (slug, topic_slugs) in enumerate(records):
        if slug in seen:
            raise NetworkFileError(
                f"{section}[{index}] ({_shown(slug)}), field 'slug': appears twice"
            )
        seen.add(slug)
        for topic in topic_slugs:
            if topic not in known_topics:
                raise NetworkFileError(
                    f"{section}[{index}] ({_shown(slug)}), field 'topics': unknown "
                    f"topic {_shown(topic)}"
                )


def _validate_exchange_items(network: NetworkFile) -> None:
    collectives = set(Collective.objects.values_list("slug", flat=True))
    collectives |= {c["slug"] for c in network.get("collectives", [])}
    supporters = set(Supporter.objects.values_list("slug", flat=True))
    supporters |= {s["slug"] for s in network.get("supporters", [])}
    known_topics = set(Topic.objects.values_list("slug", flat=True))
    known_topics |= {t["slug"] for t in network.get("topics", [])}
    sections = (("needs", network.get("needs", [])), ("offers", network.get("offers", [])))
    for section, records in sections:
        seen: set[str] = set()
        for index, record in enumerate(records):
            where = f"{section}[{index}] ({_shown(record['ref'])})"
            if record["ref"] in seen:
                raise NetworkFileError(f"{where}, field 'ref': appears twice")
            seen.add(record["ref"])
            if record.get("collective") and record["collective"] not in collectives:
                raise NetworkFileError(
                    f"{where}, field 'collective': unknown collective "
                    f"{_shown(record['collective'])}"
                )
            if record.get("supporter") and record["supporter"] not in supporters:
                raise NetworkFileError(
                    f"{where}, field 'supporter': unknown supporter {_shown(record['supporter'])}"
                )
            for slug in record.get("topics", []):
                if slug not in known_topics:
                    raise NetworkFileError(f"{where}, field 'topics': unknown topic {_shown(slug)}")
            starts, ends = record.get("starts_on"), record.get("ends_on")
            if starts and ends and ends < starts:
                raise NetworkFileError(f"{where}, field 'ends_on': lies before 'starts_on'")


def _import_exchange_item(
    model: type[Need] | type[Offer], record: ExchangeItemRecord, topics: dict[str, Topic]
) -> bool:
    owners: dict[str, Collective | Supporter | None] = {}
    if record.get("collective"):
        owners["collective"] = Collective.objects.get(slug=record["collective"])
    if model is Offer:
        # Both owner fields, so an offer that moves from a collective to a supporter (or
        # back) loses its old owner instead of breaking the one-owner rule.
        owners.setdefault("collective", None)
        owners["supporter"] = (
            Supporter.objects.get(slug=record["supporter"]) if record.get("supporter") else None
        )
    defaults: dict[str, object] = {
        "title": record["title"],
        "description": record["description"],
        "remote_ok": record.get("remote_ok", True),
        "starts_on": record.get("starts_on"),
        "ends_on": record.get("ends_on"),
        "effort_hours": record.get("effort_hours"),
        "state": record.get("state", "open"),
        "outcome": record.get("outcome", ""),
        "visibility": record.get("visibility", Visibility.PUBLIC),
        "is_demo": record.get("is_demo", False),
        **_region_fields(record.get("region", {})),
        **owners,
    }
    if record.get("expires_on"):
        defaults["expires_on"] = record["expires_on"]
    item: ExchangeItem
    item, created = model.objects.update_or_create(ref=record["ref"], defaults=defaults)
    item.kind_codes = record["kinds"]
    item.language_codes = record.get("languages", [])
    item.save(update_fields=["kinds", "languages"])
    item.topics.set([topics[slug] for slug in record.get("topics", [])])
    return created


def _import_topics(records: list[TopicRecord], summary: ImportSummary) -> None:
    for record in records:
        _topic, created = Topic.objects.update_or_create(
            slug=record["slug"],
            defaults={
                "name_en": record["name_en"],
                "name_de": record["name_de"],
                "kind": record.get("kind", Topic.Kind.BUSINESS),
            },
        )
        summary.count("topics", created)
    by_slug = {t.slug: t for t in Topic.objects.all()}
    for record in records:
        parent_slug = record.get("parent")
        parent = by_slug.get(parent_slug) if parent_slug else None
        Topic.objects.filter(slug=record["slug"]).update(parent=parent)


def _region_fields(region: Region) -> dict[str, object]:
    return {
        "city": region.get("city", ""),
        "country": region.get("country", ""),
        "nuts_code": region.get("nuts_code", ""),
        "latitude": region.get("latitude"),
        "longitude": region.get("longitude"),
    }


def _import_collective(
    record: CollectiveRecord, topics: dict[str, Topic]
) -> tuple[Collective, bool]:
    description = record.get("description", {})
    collective, created = Collective.objects.update_or_create(
        slug=record["slug"],
        defaults={
            "name": record["name"],
            "description_de": description.get("de", ""),
            "description_en": description.get("en", ""),
            "legal_form": record.get("legal_form", ""),
            "founded_year": record.get("founded_year"),
            "member_count": record.get("member_count"),
            "remote_friendly": record.get("remote_friendly", False),
            "website": record.get("website", ""),
            "technologies": ", ".join(record.get("technologies", [])),
            "values_statement": record.get("values_statement", ""),
            "red_lines": record.get("red_lines", ""),
            "capacity_person_days_per_month": record.get("capacity_person_days_per_month"),
            "visibility": record.get("visibility", Visibility.PUBLIC),
            "is_demo": record.get("is_demo", False),
            **_region_fields(record.get("region", {})),
        },
    )
    collective.language_codes = record.get("working_languages", [])
    collective.save(update_fields=["languages"])
    collective.topics.set([topics[slug] for slug in record.get("topics", [])])
    collective.references.all().delete()
    Reference.objects.bulk_create(
        Reference(
            collective=collective,
            client_type=ref["client_type"],
            summary=ref["summary"],
            year=ref.get("year"),
            url=ref.get("url", ""),
        )
        for ref in record.get("references", [])
    )
    collective.refresh_search_document()
    return collective, created


def _import_supporter(record: SupporterRecord, topics: dict[str, Topic]) -> tuple[Supporter, bool]:
    bio = record.get("bio", {})
    supporter, created = Supporter.objects.update_or_create(
        slug=record["slug"],
        defaults={
            "name": record["name"],
            "kind": record.get("kind", Supporter.Kind.PERSON),
            "bio_de": bio.get("de", ""),
            "bio_en": bio.get("en", ""),
            "organisation": record.get("organisation", ""),
            "brokering_regions": ", ".join(record.get("brokering_regions", [])),
            "hours_per_month": record.get("hours_per_month"),
            "visibility": record.get("visibility", Visibility.PUBLIC),
            "is_demo": record.get("is_demo", False),
            **_region_fields(record.get("region", {})),
        },
    )
    supporter.language_codes = record.get("languages", [])
    supporter.sector_codes = record.get("brokering_sectors", [])
    supporter.save(update_fields=["languages", "brokering_sectors"])
    supporter.topics.set([topics[slug] for slug in record.get("topics", [])])
    supporter.refresh_search_document()
    return supporter, created


def do_import_network(data: Mapping[str, object]) -> ImportSummary:
    """Validate and import a network file in one transaction: all of it, or nothing."""
    network = validate_network(data)
    summary = ImportSummary()
    with transaction.atomic():
        with _refusals_named("topics", None):
            _import_topics(network.get("topics", []), summary)
        topics = {t.slug: t for t in Topic.objects.all()}
        for index, collective_record in enumerate(network.get("collectives", [])):
            with _refusals_named("collectives", index, collective_record["slug"]):
                _collective, created = _import_collective(collective_record, topics)
            summary.count("collectives", created)
        for index, supporter_record in enumerate(network.get("supporters", [])):
            with _refusals_named("supporters", index, supporter_record["slug"]):
                _supporter, created = _import_supporter(supporter_record, topics)
            summary.count("supporters", created)
        for index, need in enumerate(network.get("needs", [])):
            with _refusals_named("needs", index, need["ref"]):
                summary.count("needs", _import_exchange_item(Need, need, topics))
        for index, offer in enumerate(network.get("offers", [])):
            with _refusals_named("offers", index, offer["ref"]):
                summary.count("offers", _import_exchange_item(Offer, offer, topics))
    return summary


@contextmanager
def _refusals_named(section: str, index: int | None, key: str | None = None) -> Iterator[None]:
    """A value the schema let through but the database refuses (a limit the schema does not
    know yet) ends the import with the record's place instead of a traceback; the
    surrounding transaction then rolls everything back."""
    try:
        yield
    except (DatabaseError, ValidationError, ValueError, TypeError, OverflowError) as exc:
        where = section if index is None else f"{section}[{index}]"
        if key:
            where += f" ({_shown(key)})"
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise NetworkFileError(f"{where}: cannot be saved ({reason})") from exc


def _region_out(profile: Collective | Supporter | Need | Offer) -> Region:
    region: Region = {
        "city": profile.city,
        "country": profile.country,
        "nuts_code": profile.nuts_code,
        "latitude": profile.latitude,
        "longitude": profile.longitude,
    }
    if not profile.country:
        # The schema has no empty country code; a left-out country imports as "unknown".
        del region["country"]
    return region


def export_network() -> NetworkFile:
    """Everything `do_import_network` reads, for every active collective and supporter."""
    topics = Topic.objects.select_related("parent").order_by("slug")
    collectives = (
        Collective.objects.active().prefetch_related("topics", "references").order_by("slug")
    )
    supporters = Supporter.objects.prefetch_related("topics").order_by("slug")
    needs = Need.objects.select_related("collective").prefetch_related("topics").order_by("ref")
    offers = (
        Offer.objects.select_related("collective", "supporter")
        .prefetch_related("topics")
        .order_by("ref")
    )
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "topics": [
            {
                "slug": t.slug,
                "name_en": t.name_en,
                "name_de": t.name_de,
                "kind": t.kind,
                "parent": t.parent.slug if t.parent else None,
            }
            for t in topics
        ],
        "collectives": [
            {
                "slug": c.slug,
                "name": c.name,
                "description": {"de": c.description_de, "en": c.description_en},
                "legal_form": c.legal_form,
                "founded_year": c.founded_year,
                "member_count": c.member_count,
                "region": _region_out(c),
                "remote_friendly": c.remote_friendly,
                "working_languages": c.language_codes,
                "website": c.website,
                "topics": sorted(t.slug for t in c.topics.all()),
                "technologies": c.technology_list,
                "references": [
                    {
                        "client_type": r.client_type,
                        "summary": r.summary,
                        "year": r.year,
                        "url": r.url,
                    }
                    for r in c.references.all()
                ],
                "values_statement": c.values_statement,
                "red_lines": c.red_lines,
                "capacity_person_days_per_month": c.capacity_person_days_per_month,
                "visibility": c.visibility,
                "is_demo": c.is_demo,
            }
            for c in collectives
        ],
        "supporters": [
            {
                "slug": s.slug,
                "name": s.name,
                "kind": s.kind,
                "bio": {"de": s.bio_de, "en": s.bio_en},
                "organisation": s.organisation,
                "topics": sorted(t.slug for t in s.topics.all()),
                "brokering_sectors": s.sector_codes,
                "brokering_regions": s.region_codes,
                "languages": s.language_codes,
                "region": _region_out(s),
                "hours_per_month": s.hours_per_month,
                "visibility": s.visibility,
                "is_demo": s.is_demo,
            }
            for s in supporters
        ],
        "needs": [
            {**_exchange_item_out(n), "collective": n.collective.slug}
            for n in needs
            if not n.collective.is_archived
        ],
        "offers": [{**_exchange_item_out(o), **_offer_owner_out(o)} for o in offers],
    }


def _exchange_item_out(item: Need | Offer) -> ExchangeItemRecord:
    return {
        "ref": item.ref,
        "title": item.title,
        "description": item.description,
        "kinds": item.kind_codes,
        "topics": sorted(t.slug for t in item.topics.all()),
        "region": _region_out(item),
        "remote_ok": item.remote_ok,
        "languages": item.language_codes,
        "starts_on": item.starts_on.isoformat() if item.starts_on else None,
        "ends_on": item.ends_on.isoformat() if item.ends_on else None,
        "effort_hours": item.effort_hours,
        "expires_on": item.expires_on.isoformat(),
        "state": item.state,
        "outcome": item.outcome,
        "visibility": item.visibility,
        "is_demo": item.is_demo,
    }


def _offer_owner_out(offer: Offer) -> ItemOwner:
    if offer.supporter is not None:
        return {"supporter": offer.supporter.slug}
    assert offer.collective is not None
    return {"collective": offer.collective.slug}
