"""A person's part of vouches: the vouches they offered, asked for, confirmed or withdrew for
their collective or as a supporter. A vouch speaks for a collective (or a supporter profile),
so a deletion keeps a collective's vouches under "former member" (the user columns go by SET_NULL
with the account row); a supporter's own vouches go with the supporter profile (cascade).

A collective that deletes itself loses the vouches it gave and received by the cascade; they
leave the other collectives' profiles at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.vouches.models import Vouch

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective


def export(user: User) -> list[ExportFile]:
    def by(field: str) -> list[dict[str, object]]:
        return rows(
            Vouch.objects.filter(**{field: user}).order_by("pk"),
            "voucher_collective__name",
            "voucher_supporter__name",
            "collective__name",
            "project",
            "statement",
            "state",
            "created_at",
            "accepted_at",
            "withdrawn_at",
        )

    return [
        ExportFile(
            name="vouches",
            about_en=(
                "Vouches you offered or asked for, confirmed or withdrew: who vouched for which "
                "collective, for which project, and what they said."
            ),
            about_de=(
                "Fürsprachen, die du angeboten oder erbeten, bestätigt oder zurückgezogen hast: "
                "wer für welches Kollektiv gesprochen hat, für welches Projekt, und was."
            ),
            content={
                "started": by("created_by"),
                "confirmed": by("accepted_by"),
                "withdrawn": by("withdrawn_by"),
            },
        )
    ]


def erase(user: User) -> None:
    """Nothing to remove here: a collective's vouches stay under "former member"; a supporter's
    own vouches go with the supporter profile, which the supporters app deletes."""


PERSONAL_DATA = PersonalData(
    app_label="vouches",
    covers=("vouches.Vouch.created_by", "vouches.Vouch.accepted_by", "vouches.Vouch.withdrawn_by"),
    export=export,
    erase=erase,
)


def describe_collective(collective: Collective) -> list[str]:
    count = (
        Vouch.objects.filter(Q(collective=collective) | Q(voucher_collective=collective))
        .exclude(state="withdrawn")
        .count()
    )
    if not count:
        return []
    return [
        _("%(count)d vouches given and received; they disappear from the other side's profile too.")
        % {"count": count}
    ]


def erase_collective(collective: Collective, member: User) -> None:
    """Nothing beyond the cascade: vouches given and received go with the collective."""


COLLECTIVE_DATA = CollectiveData(
    app_label="vouches", describe=describe_collective, erase=erase_collective
)
