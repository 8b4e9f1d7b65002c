"""A person's part in their collectives' day rates: the versions they saved, with their change
notes. A version was saved for the collective, so a deletion keeps it under "former member"
(the link to the account is cleared by the database). A collective that deletes itself loses
its day rates by the cascade."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.rates.models import DayRate

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="day_rates",
            about_en="Versions of your collectives' day rates that you saved, with your notes.",
            about_de=(
                "Versionen der Tagessätze deiner Kollektive, die du gespeichert hast, mit "
                "deinen Notizen."
            ),
            content={
                "versions": rows(
                    DayRate.objects.filter(created_by=user).order_by("created_at"),
                    "collective__name",
                    "number",
                    "change_note",
                    "created_at",
                )
            },
        )
    ]


def erase(user: User) -> None:
    """Nothing to remove: the versions stay with the collective, shown under "former member"."""


PERSONAL_DATA = PersonalData(
    app_label="rates", covers=("rates.DayRate.created_by",), export=export, erase=erase
)


def describe_collective(collective: Collective) -> list[str]:
    versions = DayRate.objects.of(collective).count()
    if not versions:
        return []
    return [_("The day rate with all its versions: %(n)d.") % {"n": versions}]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: the day rates go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="rates", describe=describe_collective, erase=erase_collective
)
