"""A person's memberships and invitations: exported with their data, removed with their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klinke.collectives.models import Collective, Invitation, Membership
from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows

if TYPE_CHECKING:
    from klinke.accounts.models import User


def collectives_left_without_members(user: User) -> list[Collective]:
    """The collectives `user` is the only member of: deleting the account archives them."""
    mine = Collective.objects.filter(memberships__user=user).active()
    return [
        collective
        for collective in mine.prefetch_related("memberships")
        if len(collective.memberships.all()) == 1
    ]


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="memberships",
            about_en="The collectives you are a member of, and since when.",
            about_de="Die Kollektive, in denen du Mitglied bist, und seit wann.",
            content=rows(
                Membership.objects.filter(user=user).order_by("joined_at"),
                "collective__name",
                "collective__slug",
                "joined_at",
            ),
        ),
        ExportFile(
            name="invitations",
            about_en=(
                "Invitations to a collective that you sent or accepted (without the invited "
                "person's address, which is theirs)."
            ),
            about_de=(
                "Einladungen in ein Kollektiv, die du verschickt oder angenommen hast (ohne die "
                "Adresse der eingeladenen Person, die ihr gehört)."
            ),
            content=[
                {**row, "you": "sent" if row.pop("invited_by_id") == user.pk else "accepted"}
                for row in rows(
                    Invitation.objects.filter(invited_by=user)
                    | Invitation.objects.filter(accepted_by=user),
                    "collective__name",
                    "invited_by_id",
                    "created_at",
                    "accepted_at",
                    "revoked_at",
                )
            ],
        ),
    ]


def consequences(user: User) -> list[str]:
    return [
        _(
            "You are the last member of %(name)s. It will be archived: it leaves the directory, "
            "its profile can no longer be edited and nobody can be invited. Its needs, offers "
            "and workbench stay stored. If they should go too, delete the collective first."
        )
        % {"name": collective.name}
        for collective in collectives_left_without_members(user)
    ]


@transaction.atomic
def erase(user: User) -> None:
    """Leave every collective; a collective left without members is archived, not deleted."""
    now = timezone.now()
    for collective in collectives_left_without_members(user):
        collective.archived_at = now
        collective.save(update_fields=["archived_at"])
        collective.invitations.pending().update(revoked_at=now)
    Membership.objects.filter(user=user).delete()
    # Invitations addressed to them keep no address of theirs.
    Invitation.objects.filter(email__iexact=user.email).update(email="")


PERSONAL_DATA = PersonalData(
    app_label="collectives",
    covers=(
        "collectives.Membership.user",
        "collectives.Invitation.invited_by",
        "collectives.Invitation.accepted_by",
    ),
    export=export,
    erase=erase,
    consequences=consequences,
)


def describe_collective(collective: Collective) -> list[str]:
    members = collective.memberships.count()
    references = collective.references.count()
    invitations = collective.invitations.count()
    return [
        _(
            "The profile and its members' memberships (members: %(members)d), references: "
            "%(references)d, invitations: %(invitations)d."
        )
        % {"members": members, "references": references, "invitations": invitations}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: memberships, references and invitations go with the row."""


COLLECTIVE_DATA = CollectiveData(
    app_label="collectives", describe=describe_collective, erase=erase_collective
)
