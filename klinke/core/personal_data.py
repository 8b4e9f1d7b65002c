"""Who holds what about a person: each app's exporter and eraser for its own user-linked data.

A person may download everything klinke holds about them and may delete their account (GDPR
articles 15, 17 and 20). No single app knows all of it, and core may not import the apps that
do, so each app registers, from its `AppConfig.ready()`, a `PersonalData` entry: which
user-linked fields it covers, a function that exports them as JSON-ready files, and a function
that erases or anonymises them. `accounts` walks the registry for the export archive and for a
deletion; a test walks Django's model registry and fails for any user-linked field nobody covers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

JsonValue = Any
"""Something `json.dumps` accepts after `as_json` has turned dates into strings."""


@dataclass(frozen=True)
class ExportFile:
    """One JSON file of a person's export: its name, what it explains, and its content."""

    name: str
    about_en: str
    about_de: str
    content: JsonValue


@dataclass(frozen=True)
class PersonalData:
    """An app's part of a person's data.

    `covers` names every user-linked field the app answers for, as "app_label.Model.field"
    (a foreign key, one-to-one or many-to-many to the user model). `export(user)` returns the
    files for the archive; `erase(user)` removes or anonymises the data before the account
    itself is anonymised. Erasers run from the highest app down, so an app may still see the
    person's memberships (kept by a lower app) while it erases.
    """

    app_label: str
    covers: tuple[str, ...]
    export: Callable[[Any], list[ExportFile]]
    erase: Callable[[Any], None]
    consequences: Callable[[Any], list[str]] | None = None
    """What deleting the account would do beyond the person's own data, in sentences for the
    confirmation page (e.g. a collective left without members)."""
    order: int = field(default=0)


_registry: dict[str, PersonalData] = {}


def register_personal_data(entry: PersonalData) -> None:
    """Count `entry` among the apps that export and erase a person's data."""
    order = entry.order or _registry.get(entry.app_label, entry).order or len(_registry) + 1
    _registry[entry.app_label] = replace(entry, order=order)


def registered_personal_data() -> list[PersonalData]:
    """Every registered entry, lowest app first (in the order the apps became ready)."""
    return sorted(_registry.values(), key=lambda entry: entry.order)


def deletion_consequences(user: Any) -> list[str]:
    """Every app's sentences about what deleting `user`'s account would do, highest app first."""
    return [
        sentence
        for entry in reversed(registered_personal_data())
        if entry.consequences is not None
        for sentence in entry.consequences(user)
    ]


def covered_fields() -> set[str]:
    return {name for entry in _registry.values() for name in entry.covers}


def user_linked_fields(
    user_model: type[models.Model], all_models: Iterable[type[models.Model]]
) -> set[str]:
    """Every concrete relation to `user_model`, as "app_label.Model.field"."""
    found = set()
    for model in all_models:
        for model_field in model._meta.get_fields():
            is_relation = (
                model_field.many_to_one or model_field.one_to_one or model_field.many_to_many
            )
            if is_relation and model_field.concrete and model_field.related_model is user_model:
                found.add(f"{model._meta.app_label}.{model.__name__}.{model_field.name}")
    return found


def as_json(value: JsonValue) -> JsonValue:
    """Dates, times and decimals as ISO strings; containers walked; everything else unchanged."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [as_json(item) for item in value]
    return value


def rows(queryset: models.QuerySet[Any], *fields: str) -> list[dict[str, JsonValue]]:
    """The named fields of every row, JSON-ready, in the queryset's order."""
    return [as_json(row) for row in queryset.values(*fields)]


def _export_mutes(user: Any) -> list[ExportFile]:
    from klinke.core.models import NotificationMute

    return [
        ExportFile(
            name="notification_settings",
            about_en="The kinds of email notification you turned off.",
            about_de="Die Arten von Benachrichtigungen per E-Mail, die du abgeschaltet hast.",
            content=rows(NotificationMute.objects.filter(user=user), "kind", "created_at"),
        )
    ]


def _erase_mutes(user: Any) -> None:
    from klinke.core.models import NotificationMute

    NotificationMute.objects.filter(user=user).delete()


CORE_PERSONAL_DATA = PersonalData(
    app_label="core",
    covers=("core.NotificationMute.user",),
    export=_export_mutes,
    erase=_erase_mutes,
)


@dataclass(frozen=True)
class CollectiveData:
    """An app's part of a collective's data, for a collective that deletes itself.

    `describe(collective)` names what would go, in sentences for the confirmation page;
    `erase(collective, member)` does what deleting needs beyond the database's cascades (such
    as telling the other side of an open introduction), acting as `member`. Erasers run from
    the highest app down, before the collective row itself is deleted.
    """

    app_label: str
    describe: Callable[[Any], list[str]]
    erase: Callable[[Any, Any], None]
    order: int = field(default=0)


_collective_registry: dict[str, CollectiveData] = {}


def register_collective_data(entry: CollectiveData) -> None:
    known = _collective_registry.get(entry.app_label, entry)
    order = entry.order or known.order or len(_collective_registry) + 1
    _collective_registry[entry.app_label] = replace(entry, order=order)


def registered_collective_data() -> list[CollectiveData]:
    """Every registered entry, lowest app first."""
    return sorted(_collective_registry.values(), key=lambda entry: entry.order)


def what_goes_with(collective: Any) -> list[str]:
    """Every app's sentences about what deleting `collective` removes, lowest app first."""
    return [
        sentence
        for entry in registered_collective_data()
        for sentence in entry.describe(collective)
    ]


def erase_collective_data(collective: Any, member: Any) -> None:
    for entry in reversed(registered_collective_data()):
        entry.erase(collective, member)
