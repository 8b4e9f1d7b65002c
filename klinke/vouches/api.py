"""JSON API of vouches, mounted at /api/v1/vouches, with the same permissions as the pages.

- `GET /vouches/?collective=<slug>`: a collective's public vouches, as its profile shows them
  (404 for a collective the caller may not see).
- `/vouches/collectives/{collective}/…`: a collective's own vouches, pending ones included, and
  offering, asking, confirming and withdrawing, for its members only (404 for everyone else,
  whatever the body; 401 for anonymous callers).
- `/vouches/supporter/…`: the same for the caller's own supporter profile (404 without one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.collectives.access import collective_member, request_collective, visible_collective
from klinke.collectives.models import Collective
from klinke.core.api_schemas import InputSchema, answers
from klinke.supporters.models import Supporter
from klinke.vouches import actions
from klinke.vouches.models import Vouch, VouchSource, VouchState
from klinke.vouches.presenting import public_vouches

router = Router(tags=["vouches"])
login = TokenOrSessionRequired()


class VouchOut(Schema):
    id: int
    collective: str
    """The vouched-for collective's slug."""
    collective_name: str
    voucher_kind: str
    """"collective" or "supporter"."""
    voucher: str
    """The voucher's slug."""
    voucher_name: str
    project: str
    statement: str
    source: str
    state: str
    accepted_at: datetime | None

    @staticmethod
    def of(vouch: Vouch) -> VouchOut:
        voucher = vouch.voucher
        return VouchOut(
            id=vouch.pk,
            collective=vouch.collective.slug,
            collective_name=vouch.collective.name,
            voucher_kind="supporter" if vouch.voucher_supporter_id else "collective",
            voucher=voucher.slug,
            voucher_name=voucher.name,
            project=vouch.project,
            statement=vouch.statement,
            source=vouch.source,
            state=vouch.state,
            accepted_at=vouch.accepted_at,
        )


class OwnVouchOut(VouchOut):
    offered_by_voucher: bool
    waiting_for_you: bool
    """Pending, and the other side started it: you may confirm or decline (withdraw) it."""


class _VouchIn(InputSchema):
    project: str = Field(min_length=1, max_length=200)
    statement: str = Field("", max_length=1000)
    source: str = Field(VouchSource.HAND.value, max_length=16)
    """Where you worked together: "referral", "consortium", "introduction" or "hand"."""
    source_id: int | None = Field(None, ge=1, le=2147483647)

    def values(self) -> actions.VouchValues:
        if self.source not in VouchSource.values:
            raise HttpError(422, f"source: one of {', '.join(VouchSource.values)}")
        return actions.VouchValues(
            project=self.project,
            statement=self.statement,
            source=self.source,
            source_id=self.source_id,
        )


class VouchOfferIn(_VouchIn):
    collective: str = Field(min_length=1, max_length=100)
    """The slug of the collective you vouch for."""


class VouchRequestIn(_VouchIn):
    partner: str = Field(min_length=1, max_length=120)
    """Whom you ask: "collective:<slug>" or "supporter:<slug>"."""


def _own(request: HttpRequest, vouch: Vouch) -> OwnVouchOut:
    return OwnVouchOut(
        **VouchOut.of(vouch).model_dump(),
        offered_by_voucher=vouch.offered_by_voucher,
        waiting_for_you=actions.may_confirm(vouch, request_user(request)),
    )


def _supporter(request: HttpRequest) -> Supporter:
    supporter: Supporter | None = Supporter.objects.filter(user_id=request_user(request).pk).first()
    if supporter is None:
        raise Http404
    return supporter


def _side(request: HttpRequest, supporter: bool) -> Collective | Supporter:
    return _supporter(request) if supporter else request_collective(request)


def _vouch(side: Collective | Supporter, vouch_id: int) -> Vouch:
    vouches = (
        Vouch.objects.involving(side)
        if isinstance(side, Collective)
        else Vouch.objects.of_supporter(side)
    )
    return get_object_or_404(vouches.for_lists(), pk=vouch_id)


def _list(request: HttpRequest, side: Collective | Supporter) -> list[OwnVouchOut]:
    vouches = (
        Vouch.objects.involving(side)
        if isinstance(side, Collective)
        else Vouch.objects.of_supporter(side)
    )
    rows = vouches.exclude(state=VouchState.WITHDRAWN).for_lists().order_by("-created_at", "-pk")
    return [_own(request, vouch) for vouch in rows]


def _offer(request: HttpRequest, side: Collective | Supporter, payload: VouchOfferIn) -> Any:
    collective = Collective.objects.filter(slug=payload.collective).first()
    if collective is None:
        raise HttpError(422, "collective: no such collective")
    values = payload.values()
    try:
        vouch = actions.do_offer_vouch(
            voucher=side, collective=collective, user=request_user(request), values=values
        )
    except actions.VouchError as refusal:
        raise HttpError(409, str(refusal)) from refusal
    return Status(201, _own(request, vouch))


def _answer(
    request: HttpRequest, side: Collective | Supporter, vouch_id: int, confirm: bool
) -> Any:
    vouch = _vouch(side, vouch_id)
    do = actions.do_confirm_vouch if confirm else actions.do_withdraw_vouch
    try:
        vouch = do(vouch_id=vouch.pk, user=request_user(request))
    except actions.VouchError as refusal:
        raise HttpError(409, str(refusal)) from refusal
    return _own(request, vouch)


# --- public ---------------------------------------------------------------------------------


@router.get("/", response=answers(list[VouchOut], 401, 404, 422))
def list_public_vouches(request: HttpRequest, collective: str) -> list[VouchOut]:
    """The public vouches of a collective (its slug), newest first, as its profile shows them."""
    found = visible_collective(request, collective)
    return [VouchOut.of(vouch) for vouch in public_vouches(found, request.user)]


# --- a collective's own -------------------------------------------------------------------------


@router.get(
    "/collectives/{collective}/",
    response=answers(list[OwnVouchOut], 401, 404, 422),
    auth=collective_member,
)
def list_collective_vouches(request: HttpRequest, collective: str) -> list[OwnVouchOut]:
    """Vouches given and received, pending ones included (not withdrawn ones)."""
    return _list(request, request_collective(request))


@router.post(
    "/collectives/{collective}/offers",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def offer_collective_vouch(request: HttpRequest, collective: str, payload: VouchOfferIn) -> Any:
    """Offer to vouch for another collective; public once one of its members confirms."""
    return _offer(request, request_collective(request), payload)


@router.post(
    "/collectives/{collective}/requests",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422, status=201),
    auth=collective_member,
)
def ask_for_vouch(request: HttpRequest, collective: str, payload: VouchRequestIn) -> Any:
    """Ask a collective or supporter you worked with to vouch for you; public once they confirm."""
    kind, _colon, slug = payload.partner.partition(":")
    partner: Collective | Supporter | None = None
    if kind == "supporter":
        partner = Supporter.objects.filter(slug=slug).first()
    elif kind == "collective":
        partner = Collective.objects.filter(slug=slug).first()
    if partner is None:
        raise HttpError(422, "partner: no such collective or supporter")
    values = payload.values()
    try:
        vouch = actions.do_ask_for_vouch(
            collective=request_collective(request),
            voucher=partner,
            user=request_user(request),
            values=values,
        )
    except actions.VouchError as refusal:
        raise HttpError(409, str(refusal)) from refusal
    return Status(201, _own(request, vouch))


@router.post(
    "/collectives/{collective}/{vouch_id}/confirm",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def confirm_collective_vouch(request: HttpRequest, collective: str, vouch_id: int) -> Any:
    """Say yes to a vouch the other side started: it is public from now on."""
    return _answer(request, request_collective(request), vouch_id, confirm=True)


@router.post(
    "/collectives/{collective}/{vouch_id}/withdraw",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def withdraw_collective_vouch(request: HttpRequest, collective: str, vouch_id: int) -> Any:
    """Withdraw (or decline) a vouch: it leaves public pages at once."""
    return _answer(request, request_collective(request), vouch_id, confirm=False)


# --- a supporter's own ------------------------------------------------------------------------


@router.get("/supporter/", response=answers(list[OwnVouchOut], 401, 404, 422), auth=login)
def list_supporter_vouches(request: HttpRequest) -> list[OwnVouchOut]:
    """Your vouches as a supporter, pending ones included."""
    return _list(request, _supporter(request))


@router.post(
    "/supporter/offers",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422, status=201),
    auth=login,
)
def offer_supporter_vouch(request: HttpRequest, payload: VouchOfferIn) -> Any:
    """Offer to vouch, as a supporter, for a collective you worked with."""
    return _offer(request, _supporter(request), payload)


@router.post(
    "/supporter/{vouch_id}/confirm",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422),
    auth=login,
)
def confirm_supporter_vouch(request: HttpRequest, vouch_id: int) -> Any:
    """Say yes to a collective's request that you vouch for it."""
    return _answer(request, _supporter(request), vouch_id, confirm=True)


@router.post(
    "/supporter/{vouch_id}/withdraw",
    response=answers(OwnVouchOut, 401, 403, 404, 409, 422),
    auth=login,
)
def withdraw_supporter_vouch(request: HttpRequest, vouch_id: int) -> Any:
    """Withdraw (or decline) one of your vouches as a supporter."""
    return _answer(request, _supporter(request), vouch_id, confirm=False)
