"""A person's supporter profile: exported with their data, removed with their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klinke.core.personal_data import ExportFile, PersonalData, rows
from klinke.supporters.models import Supporter

if TYPE_CHECKING:
    from klinke.accounts.models import User


def export(user: User) -> list[ExportFile]:
    profiles = rows(
        Supporter.objects.filter(user=user),
        "id",
        "name",
        "slug",
        "kind",
        "organisation",
        "bio_de",
        "bio_en",
        "city",
        "country",
        "nuts_code",
        "languages",
        "visibility",
        "brokering_sectors",
        "brokering_regions",
        "hours_per_month",
        "created_at",
        "updated_at",
    )
    for profile in profiles:
        profile["topics"] = list(
            Supporter.topics.through.objects.filter(supporter_id=profile["id"]).values_list(
                "topic__slug", flat=True
            )
        )
    return [
        ExportFile(
            name="supporter_profile",
            about_en="Your supporter profile as the directory shows it, with its topics.",
            about_de="Dein Profil als Unterstützer*in, wie das Verzeichnis es zeigt, mit Themen.",
            content=profiles,
        )
    ]


def erase(user: User) -> None:
    """The profile is the person's own: it goes, with its offers (their introductions are
    answered first by the exchange)."""
    Supporter.objects.filter(user=user).delete()


PERSONAL_DATA = PersonalData(
    app_label="supporters",
    covers=("supporters.Supporter.user",),
    export=export,
    erase=erase,
)
