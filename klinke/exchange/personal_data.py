"""A person's needs, offers and introductions: exported with their data; on deletion their open
requests are withdrawn or declined (the other side is told) and their contact details dropped."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klinke.core.personal_data import CollectiveData, ExportFile, PersonalData, rows
from klinke.exchange.actions import (
    ExchangeError,
    do_answer_introduction,
    do_withdraw_introduction,
)
from klinke.exchange.models import Introduction, IntroductionState, Need, Offer
from klinke.supporters.models import Supporter

if TYPE_CHECKING:
    from klinke.accounts.models import User
    from klinke.collectives.models import Collective

ITEM_FIELDS = (
    "ref",
    "title",
    "description",
    "kinds",
    "city",
    "country",
    "languages",
    "starts_on",
    "ends_on",
    "effort_hours",
    "expires_on",
    "state",
    "outcome",
    "visibility",
    "created_at",
    "updated_at",
)


def _introduction_row(introduction: Introduction, user: User) -> dict[str, object]:
    """The introduction with the messages and details this person gave, not the other side's."""
    row: dict[str, object] = {
        "need": introduction.need.ref,
        "need_title": introduction.need.title,
        "collective": introduction.need.collective.name,
        "counterpart": introduction.counterpart_name,
        "state": introduction.state,
        "requested_at": introduction.requested_at.isoformat(),
        "answered_at": introduction.answered_at.isoformat() if introduction.answered_at else None,
        "closed_at": introduction.closed_at.isoformat() if introduction.closed_at else None,
    }
    if introduction.requested_by_id == user.pk:
        row["your_role"] = "asked"
        row["your_message"] = introduction.message
        row["your_email"] = introduction.requester_email
        row["your_phone"] = introduction.requester_phone
        row["your_channel"] = introduction.requester_channel
        row["feedback_note"] = introduction.feedback_note
    else:
        row["your_role"] = "answered"
        row["your_message"] = introduction.response_message
        row["your_email"] = introduction.responder_email
        row["your_phone"] = introduction.responder_phone
        row["your_channel"] = introduction.responder_channel
    return row


def _introductions_of(user: User) -> list[Introduction]:
    return list(
        Introduction.objects.filter(
            Q(requested_by=user) | Q(answered_by=user) | Q(supporter__user=user)
        )
        .select_related("need__collective", "supporter", "collective")
        .order_by("requested_at", "pk")
    )


def export(user: User) -> list[ExportFile]:
    return [
        ExportFile(
            name="needs",
            about_en="Needs you posted for a collective.",
            about_de="Gesuche, die du für ein Kollektiv eingestellt hast.",
            content=rows(
                Need.objects.filter(created_by=user).order_by("created_at"),
                *ITEM_FIELDS,
                "collective__name",
            ),
        ),
        ExportFile(
            name="offers",
            about_en="Offers you posted, as a supporter or for a collective.",
            about_de=(
                "Angebote, die du eingestellt hast, als Unterstützer*in oder für ein Kollektiv."
            ),
            content=rows(
                Offer.objects.filter(Q(created_by=user) | Q(supporter__user=user))
                .distinct()
                .order_by("created_at"),
                *ITEM_FIELDS,
                "collective__name",
                "supporter__name",
            ),
        ),
        ExportFile(
            name="introductions",
            about_en=(
                "Introductions you asked for or answered, with your own messages and the contact "
                "details you gave."
            ),
            about_de=(
                "Vermittlungen, die du angefragt oder beantwortet hast, mit deinen eigenen "
                "Nachrichten und den Kontaktdaten, die du angegeben hast."
            ),
            content=[_introduction_row(i, user) for i in _introductions_of(user)],
        ),
    ]


def consequences(user: User) -> list[str]:
    waiting = Introduction.objects.filter(state=IntroductionState.REQUESTED)
    asked = waiting.filter(requested_by=user).count()
    answering = waiting.filter(supporter__user=user).count()
    sentences = []
    if asked:
        sentences.append(
            ngettext(
                "%(count)d introduction you asked for is withdrawn; the other side is told.",
                "%(count)d introductions you asked for are withdrawn; the other sides are told.",
                asked,
            )
            % {"count": asked}
        )
    if answering:
        sentences.append(
            ngettext(
                "%(count)d request for an introduction to you is declined; the collective is told.",
                "%(count)d requests for introductions to you are declined; the collectives are "
                "told.",
                answering,
            )
            % {"count": answering}
        )
    return sentences


def erase(user: User) -> None:
    """Withdraw the requests they made, decline those made to them, and drop their details.

    Both moves go through the exchange's own actions, so the other side gets the usual mail.
    The account is anonymised before this runs, so that mail names no one.
    """
    # The decline mail names the supporter profile; it goes with the account, so the mail
    # names a former supporter instead of the person (the profile is deleted right after).
    Supporter.objects.filter(user=user).update(name=_("a former supporter"))
    waiting = Introduction.objects.filter(state=IntroductionState.REQUESTED)
    for introduction_id in waiting.filter(requested_by=user).values_list("pk", flat=True):
        # Expired meanwhile: nothing left to withdraw.
        with contextlib.suppress(ExchangeError):
            do_withdraw_introduction(introduction_id=introduction_id, user=user)
    for introduction_id in waiting.filter(supporter__user=user).values_list("pk", flat=True):
        with contextlib.suppress(ExchangeError):
            do_answer_introduction(
                introduction_id=introduction_id,
                user=user,
                accept=False,
                message=_("This person has deleted their account."),
            )
    Introduction.objects.filter(requested_by=user).update(
        requester_email="", requester_phone="", requester_channel=""
    )
    Introduction.objects.filter(answered_by=user).update(
        responder_email="", responder_phone="", responder_channel=""
    )


PERSONAL_DATA = PersonalData(
    app_label="exchange",
    covers=(
        "exchange.Need.created_by",
        "exchange.Offer.created_by",
        "exchange.Introduction.requested_by",
        "exchange.Introduction.answered_by",
    ),
    export=export,
    erase=erase,
    consequences=consequences,
)


def _open_introductions(collective: Collective) -> tuple[list[int], list[int]]:
    """The waiting introductions the collective asked for, and those asked of it."""
    waiting = Introduction.objects.filter(state=IntroductionState.REQUESTED)
    asked = list(waiting.filter(need__collective=collective).values_list("pk", flat=True))
    asked_of = list(waiting.filter(collective=collective).values_list("pk", flat=True))
    return asked, asked_of


def describe_collective(collective: Collective) -> list[str]:
    needs = Need.objects.filter(collective=collective).count()
    offers = Offer.objects.filter(collective=collective).count()
    asked, asked_of = _open_introductions(collective)
    sentences = [
        _("In the exchange: needs: %(needs)d, offers: %(offers)d, with their introductions.")
        % {"needs": needs, "offers": offers}
    ]
    if asked or asked_of:
        sentences.append(
            ngettext(
                "%(count)d open introduction is withdrawn or declined first; the other side is "
                "told.",
                "%(count)d open introductions are withdrawn or declined first; the other sides "
                "are told.",
                len(asked) + len(asked_of),
            )
            % {"count": len(asked) + len(asked_of)}
        )
    return sentences


def erase_collective(collective: Collective, member: User) -> None:
    """Withdraw what the collective asked for and decline what it was asked, telling the
    other sides through the usual mail; needs, offers and introductions then go with it."""
    asked, asked_of = _open_introductions(collective)
    for introduction_id in asked:
        with contextlib.suppress(ExchangeError):
            do_withdraw_introduction(introduction_id=introduction_id, user=member)
    for introduction_id in asked_of:
        with contextlib.suppress(ExchangeError):
            do_answer_introduction(
                introduction_id=introduction_id,
                user=member,
                accept=False,
                message=_("This collective has left the network."),
            )


COLLECTIVE_DATA = CollectiveData(
    app_label="exchange", describe=describe_collective, erase=erase_collective
)
