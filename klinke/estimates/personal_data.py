"""A person's part of estimates: the estimates and versions they wrote. What they wrote was
written for their collective, so a deletion keeps it under "former member" (the columns are
set to NULL by the account's anonymisation, never the estimate deleted).

A collective that deletes itself loses its estimates by the database cascade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.estimates.models import ActualHours, Estimate, EstimateVersion

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="estimates",
            about_en=(
                "Estimates you started for your collective, the versions of estimates you "
                "wrote, with their change notes, and the actual hours you entered."
            ),
            about_de=(
                "Kostenschätzungen, die du für dein Kollektiv angelegt hast, die Fassungen "
                "von Kostenschätzungen, die du geschrieben hast, mit ihren Änderungsnotizen, "
                "und die tatsächlichen Stunden, die du eingetragen hast."
            ),
            content={
                "estimates_started": rows(
                    Estimate.objects.filter(created_by=user).order_by("pk"),
                    "collective__name",
                    "title",
                    "client_name",
                    "state",
                    "created_at",
                ),
                "versions_written": rows(
                    EstimateVersion.objects.filter(created_by=user).order_by("pk"),
                    "estimate__collective__name",
                    "estimate__title",
                    "number",
                    "change_note",
                    "created_at",
                ),
                "actual_hours_entered": rows(
                    ActualHours.objects.filter(created_by=user).order_by("pk"),
                    "package__version__estimate__title",
                    "package__name",
                    "worked_on",
                    "person",
                    "hours",
                    "note",
                    "created_at",
                ),
            },
        )
    ]


def erase(user: User) -> None:
    """Nothing to remove: the estimates stay with the collective, shown under "former member"."""


PERSONAL_DATA = PersonalData(
    app_label="estimates",
    covers=(
        "estimates.Estimate.created_by",
        "estimates.EstimateVersion.created_by",
        "estimates.ActualHours.created_by",
    ),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    count = Estimate.objects.filter(collective=collective).count()
    if not count:
        return []
    return [
        _("%(count)d estimates with all their versions; their client links stop working.")
        % {"count": count}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: the estimates and their links go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="estimates", describe=describe_collective, erase=erase_collective
)
