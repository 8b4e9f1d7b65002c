"""What a person did in a collective's address book. The records are the collective's and stay;
the person's export lists which they added (not the other people's details in them), and their
unfinished imports, which hold raw uploaded rows, go with their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from klinke.contacts.models import (
    Contact,
    ContactEmail,
    ContactImport,
    ContactMerge,
    ContactPhone,
    Organisation,
)
from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="address_book_activity",
            about_en=(
                "Which contacts and organisations you added to a collective's address book, "
                "the imports you made and the duplicates you merged. The records belong to the "
                "collective and hold other people's details, so only their ids and dates are here."
            ),
            about_de=(
                "Welche Kontakte und Organisationen du im Adressbuch eines Kollektivs angelegt, "
                "welche Importe du gemacht und welche Dubletten du zusammengeführt hast. Die "
                "Einträge gehören dem Kollektiv und enthalten Daten anderer Menschen, deshalb "
                "stehen hier nur ihre Nummern und Daten."
            ),
            content={
                "contacts_added": rows(
                    Contact.objects.filter(Q(created_by=user) | Q(source_by=user))
                    .distinct()
                    .order_by("created_at"),
                    "id",
                    "collective__name",
                    "created_at",
                ),
                "organisations_added": rows(
                    Organisation.objects.filter(created_by=user).order_by("created_at"),
                    "id",
                    "collective__name",
                    "created_at",
                ),
                "imports": rows(
                    ContactImport.objects.filter(created_by=user).order_by("created_at"),
                    "collective__name",
                    "file_name",
                    "state",
                    "created_at",
                    "completed_at",
                ),
                "merges": rows(
                    ContactMerge.objects.filter(merged_by=user).order_by("merged_at"),
                    "collective__name",
                    "kept_id",
                    "merged_at",
                    "undone_at",
                ),
            },
        )
    ]


def erase(user: User) -> None:
    ContactImport.objects.filter(created_by=user).delete()
    # Addresses copied from their account (e.g. saved from an introduction) are theirs.
    ContactEmail.objects.filter(email__iexact=user.email).delete()
    if user.phone:
        ContactPhone.objects.filter(raw=user.phone).delete()


PERSONAL_DATA = PersonalData(
    app_label="contacts",
    covers=(
        "contacts.Organisation.created_by",
        "contacts.Contact.created_by",
        "contacts.Contact.source_by",
        "contacts.ContactImport.created_by",
        "contacts.ContactMerge.merged_by",
    ),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    contacts = Contact.objects.filter(collective=collective).count()
    organisations = Organisation.objects.filter(collective=collective).count()
    return [
        _("The address book: contacts: %(contacts)d, organisations: %(organisations)d.")
        % {"contacts": contacts, "organisations": organisations}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: the address book goes with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="contacts", describe=describe_collective, erase=erase_collective
)
