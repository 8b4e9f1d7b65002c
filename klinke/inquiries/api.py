"""JSON API of the inquiries, mounted at /api/v1/inquiries: the collective's side only.

There is no API for the public form: its traps (honeypot, time stamp, limits) are the form's.
A collective's inquiries are private to its members, exactly as the pages: paths that start
with the collective's slug check membership before anything else (404 for everyone else,
whatever the body; 401 for anonymous callers), and entries are looked up within the
collective. The stewards' totals name collectives and counts, never clients.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.collectives.access import collective_member, request_collective
from klinke.collectives.models import Collective
from klinke.core.api_schemas import InputSchema, answers
from klinke.inquiries import actions
from klinke.inquiries.models import (
    Inquiry,
    InquiryOffer,
    InquirySettings,
    counts_by_collective,
    window_start,
)
from klinke.inquiries.routing import DEFAULT_RULES

router = Router(tags=["inquiries"])
login = TokenOrSessionRequired()


class InquiryReasonOut(Schema):
    en: str
    de: str


class InquiryAssignmentOut(Schema):
    """The figures of the published rule that decided, for transparency."""

    collective: str
    decided_by: str
    seed: int | None
    deficits: dict[str, float]


class InquiryOfferOut(Schema):
    id: int
    description: str
    topics: list[str]
    organisation_type: str
    budget: str
    time_frame: str
    region: str
    remote: bool
    language: str
    state: str
    round_closes_at: datetime | None
    score: float
    reasons: list[InquiryReasonOut]
    red_lines_checked: int
    answer: str
    note: str
    answered_at: datetime | None
    assigned: bool
    chosen: bool
    lead_id: int | None
    assignment: InquiryAssignmentOut | None

    @staticmethod
    def of(offer: InquiryOffer) -> InquiryOfferOut:
        inquiry = offer.inquiry
        assignment = None
        if inquiry.seed is not None:
            assigned = next((o for o in inquiry.offers.all() if o.assigned), None)
            assignment = InquiryAssignmentOut(
                collective=assigned.collective.slug if assigned else "",
                decided_by=inquiry.decided_by,
                seed=inquiry.seed,
                deficits=inquiry.deficits,
            )
        return InquiryOfferOut(
            id=offer.pk,
            description=inquiry.description,
            topics=[t.slug for t in inquiry.topics.all()],
            organisation_type=inquiry.organisation_type,
            budget=inquiry.budget,
            time_frame=inquiry.time_frame,
            region=inquiry.region,
            remote=inquiry.remote,
            language=inquiry.language,
            state=inquiry.state,
            round_closes_at=inquiry.round_closes_at,
            score=offer.score,
            reasons=[
                InquiryReasonOut(en=str(r.get("en", "")), de=str(r.get("de", "")))
                for r in offer.reasons
                if isinstance(r, dict)
            ],
            red_lines_checked=int(offer.screening.get("red_lines", 0)),
            answer=offer.answer,
            note=offer.note,
            answered_at=offer.answered_at,
            assigned=offer.assigned,
            chosen=offer.chosen_at is not None,
            lead_id=offer.lead_id,
            assignment=assignment,
        )


class InquiryAnswerIn(InputSchema):
    answer: str = Field(max_length=16, description='"interested" or "declined"')
    note: str = Field(default="", max_length=2000)


class InquirySettingsOut(Schema):
    capacity: int = Field(ge=0, le=100)
    paused: bool = False


class InquirySettingsIn(InputSchema):
    capacity: int = Field(ge=0, le=100)
    paused: bool = False


class InquiryTotalsOut(Schema):
    collective: str
    name: str
    offered: int
    interested: int
    assigned: int


class InquiryNetworkTotalsOut(Schema):
    since: datetime
    unmet: int
    collectives: list[InquiryTotalsOut]


def _offers(request: HttpRequest) -> list[InquiryOffer]:
    queryset = InquiryOffer.objects.for_collective(request_collective(request)).prefetch_related(
        "inquiry__offers__collective"
    )
    return list(queryset[:200])


def _offer(request: HttpRequest, offer_id: int) -> InquiryOffer:
    return get_object_or_404(
        InquiryOffer.objects.for_collective(request_collective(request)).prefetch_related(
            "inquiry__offers__collective"
        ),
        pk=offer_id,
    )


@router.get(
    "/{collective}/offers",
    response=answers(list[InquiryOfferOut], 401, 404),
    auth=collective_member,
)
def list_offers(request: HttpRequest, collective: str) -> list[InquiryOfferOut]:
    """The inquiries the collective was asked about, newest first, with reasons and answers."""
    return [InquiryOfferOut.of(o) for o in _offers(request)]


@router.get(
    "/{collective}/offers/{offer_id}",
    response=answers(InquiryOfferOut, 401, 404),
    auth=collective_member,
)
def get_offer(request: HttpRequest, collective: str, offer_id: int) -> InquiryOfferOut:
    return InquiryOfferOut.of(_offer(request, offer_id))


@router.post(
    "/{collective}/offers/{offer_id}/answer",
    response=answers(InquiryOfferOut, 401, 403, 404, 409, 422),
    auth=collective_member,
)
def answer_offer(
    request: HttpRequest, collective: str, offer_id: int, payload: InquiryAnswerIn
) -> InquiryOfferOut:
    """Answer "interested" (with a note to the client) or "declined", while the round is open."""
    offer = _offer(request, offer_id)
    if payload.answer not in ("interested", "declined"):
        raise HttpError(422, 'Answer "interested" or "declined".')
    try:
        actions.do_answer_offer(
            offer=offer,
            user=request_user(request),
            interested=payload.answer == "interested",
            note=payload.note,
        )
    except actions.InquiryError as exc:
        raise HttpError(409, str(exc)) from exc
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from exc
    return InquiryOfferOut.of(_offer(request, offer_id))


@router.get(
    "/{collective}/settings", response=answers(InquirySettingsOut, 401, 404), auth=collective_member
)
def get_settings(request: HttpRequest, collective: str) -> InquirySettingsOut:
    config = InquirySettings.objects.filter(collective=request_collective(request)).first()
    if config is None:
        return InquirySettingsOut(capacity=DEFAULT_RULES.default_capacity, paused=False)
    return InquirySettingsOut(capacity=config.capacity, paused=config.paused)


@router.put(
    "/{collective}/settings",
    response=answers(InquirySettingsOut, 401, 403, 404, 422),
    auth=collective_member,
)
def put_settings(
    request: HttpRequest, collective: str, payload: InquirySettingsIn
) -> InquirySettingsOut:
    try:
        config = actions.do_save_inquiry_settings(
            collective=request_collective(request),
            user=request_user(request),
            capacity=payload.capacity,
            paused=payload.paused,
        )
    except actions.InquiryError as exc:
        raise HttpError(422, str(exc)) from exc
    return InquirySettingsOut(capacity=config.capacity, paused=config.paused)


@router.get("/totals", response=answers(InquiryNetworkTotalsOut, 401, 403), auth=login)
def network_totals(request: HttpRequest) -> InquiryNetworkTotalsOut:
    """Stewards only: per collective, inquiries offered, interested and assigned over the
    rolling window, and how many found no taker. Never a client's details."""
    if not request_user(request).is_steward:
        raise HttpError(403, "Only the network's stewards see these totals.")
    since = window_start()
    totals = counts_by_collective(since)
    collectives = Collective.objects.filter(pk__in=totals).only("pk", "slug", "name")
    return InquiryNetworkTotalsOut(
        since=since,
        unmet=Inquiry.objects.unmet().filter(created_at__gte=since).count(),
        collectives=[
            InquiryTotalsOut(collective=c.slug, name=c.name, **totals[c.pk])
            for c in sorted(collectives, key=lambda c: c.name.lower())
        ],
    )
