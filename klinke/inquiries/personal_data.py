"""A person's part of the inquiries: the answers they gave for their collective. What they
wrote to a client was written for their collective, so a deletion keeps it under "former
member" (the row's user link goes by SET_NULL when the account row itself goes).

Clients are not users: their name, email and phone live on the inquiry, which is forgotten by
the worker (unconfirmed after a day, contact details a year after the inquiry closed) and can be
withdrawn by the client from their private status page.

A collective that deletes itself loses its offers and settings by the database cascade; the
inquiries themselves belong to their clients and stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.inquiries.models import InquiryOffer, InquirySettings

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="inquiries",
            about_en=(
                "Client inquiries you answered for your collective: whether it was interested "
                "and the note you wrote to the client."
            ),
            about_de=(
                "Anfragen von Auftraggeber*innen, die du für dein Kollektiv beantwortet hast: "
                "ob es interessiert war, und deine Nachricht an die Auftraggeber*in."
            ),
            content={
                "answers": rows(
                    InquiryOffer.objects.filter(answered_by=user).order_by("pk"),
                    "collective__name",
                    "answer",
                    "note",
                    "answered_at",
                ),
            },
        )
    ]


def erase(user: User) -> None:
    """Nothing to remove: the answers stay with the collective, shown under "former member"."""


PERSONAL_DATA = PersonalData(
    app_label="inquiries",
    covers=("inquiries.InquiryOffer.answered_by",),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    offers = InquiryOffer.objects.filter(collective=collective).count()
    if not offers and not InquirySettings.objects.filter(collective=collective).exists():
        return []
    return [
        _("The inquiries your collective was asked about (%(offers)d) and your inquiry settings.")
        % {"offers": offers}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: offers and settings go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="inquiries", describe=describe_collective, erase=erase_collective
)
