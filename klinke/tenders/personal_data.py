"""A person's part of the tenders: the tenders they marked as not interesting and the red-line
flags they lifted, with their reasons. What they wrote was written for their collective, so a
deletion keeps it under "former member" (as the workbench keeps its screening overrides).

A collective that deletes itself loses its tender profile and inbox by the database cascade;
the tenders themselves are public notices and stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.tenders.models import (
    Consortium,
    ConsortiumMember,
    InboxEntry,
    TenderProfile,
    TenderScreeningOverride,
)

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="tenders",
            about_en=(
                "Public tenders you marked as not interesting for your collective (with your "
                "reason), red-line flags on tenders you lifted (with your reason), and the "
                "consortia you started, invited to, answered for or are the contact person of."
            ),
            about_de=(
                "Öffentliche Ausschreibungen, die du für dein Kollektiv als nicht interessant "
                "markiert hast (mit deiner Begründung), Markierungen roter Linien, die du "
                "aufgehoben hast (mit deiner Begründung), und die Bietergemeinschaften, die du "
                "begonnen hast, zu denen du eingeladen oder für die du geantwortet hast oder "
                "deren Ansprechperson du bist."
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
                "consortia_started": rows(
                    Consortium.objects.filter(started_by=user).order_by("pk"),
                    "initiator__name",
                    "tender__title",
                    "state",
                    "created_at",
                ),
                "consortium_invitations_sent": rows(
                    ConsortiumMember.objects.filter(invited_by=user).order_by("pk"),
                    "collective__name",
                    "consortium__tender__title",
                    "message",
                    "invited_at",
                ),
                "consortium_invitations_answered": rows(
                    ConsortiumMember.objects.filter(answered_by=user).order_by("pk"),
                    "collective__name",
                    "consortium__tender__title",
                    "state",
                    "answered_at",
                ),
                "consortium_contact_person_for": rows(
                    ConsortiumMember.objects.filter(contact=user).order_by("pk"),
                    "collective__name",
                    "consortium__tender__title",
                    "state",
                ),
            },
        )
    ]


def erase(user: User) -> None:
    """Nothing to remove: the reasons stay with the collective, shown under "former member".

    In consortia the person's name goes by the database (who started, invited, answered;
    the contact person is then empty, and the collective names another)."""


PERSONAL_DATA = PersonalData(
    app_label="tenders",
    covers=(
        "tenders.InboxEntry.dismissed_by",
        "tenders.TenderScreeningOverride.by",
        "tenders.Consortium.started_by",
        "tenders.ConsortiumMember.invited_by",
        "tenders.ConsortiumMember.answered_by",
        "tenders.ConsortiumMember.contact",
    ),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    lines = []
    if TenderProfile.objects.filter(collective=collective).exists():
        entries = InboxEntry.objects.filter(collective=collective).count()
        lines.append(
            _("The tender profile and the tender inbox (%(entries)d entries).")
            % {"entries": entries}
        )
    started = Consortium.objects.filter(initiator=collective).count()
    joined = ConsortiumMember.objects.filter(collective=collective).count()
    if joined:
        lines.append(
            _(
                "Its part in %(joined)d consortia; the %(started)d it started go for every "
                "member collective too."
            )
            % {"joined": joined, "started": started}
        )
    return lines


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: the profile and the inbox go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="tenders", describe=describe_collective, erase=erase_collective
)
