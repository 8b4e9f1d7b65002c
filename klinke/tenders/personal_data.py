"""A person's part of the tenders: the tenders they marked as not interesting and the red-line
flags they lifted, with their reasons. What they wrote was written for their collective, so a
deletion keeps it under "former member" (as the workbench keeps its screening overrides).

A collective that deletes itself loses its tender profile and inbox by the database cascade;
the tenders themselves are public notices and stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.tenders.models import InboxEntry, TenderProfile, TenderScreeningOverride

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="tenders",
            about_en=(
                "Public tenders you marked as not interesting for your collective (with your "
                "reason), and red-line flags on tenders you lifted (with your reason)."
            ),
            about_de=(
                "Öffentliche Ausschreibungen, die du für dein Kollektiv als nicht interessant "
                "markiert hast (mit deiner Begründung), und Markierungen roter Linien, die du "
                "aufgehoben hast (mit deiner Begründung)."
            ),
            content={
                "not_interesting": rows(
                    InboxEntry.objects.filter(dismissed_by=user).order_by("pk"),
                    "collective__name",
                    "tender__title",
                    "dismiss_reason",
                    "updated_at",
                ),
                "red_line_flags_lifted": rows(
                    TenderScreeningOverride.objects.filter(by=user).order_by("at"),
                    "entry__collective__name",
                    "entry__tender__title",
                    "reason",
                    "at",
                ),
            },
        )
    ]


def erase(user: User) -> None:
    """Nothing to remove: the reasons stay with the collective, shown under "former member"."""


PERSONAL_DATA = PersonalData(
    app_label="tenders",
    covers=("tenders.InboxEntry.dismissed_by", "tenders.TenderScreeningOverride.by"),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    if not TenderProfile.objects.filter(collective=collective).exists():
        return []
    entries = InboxEntry.objects.filter(collective=collective).count()
    return [
        _("The tender profile and the tender inbox (%(entries)d entries).") % {"entries": entries}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: the profile and the inbox go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="tenders", describe=describe_collective, erase=erase_collective
)
