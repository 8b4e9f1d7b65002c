"""JSON API of the support exchange, with the same permissions as its pages."""

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.collectives.models import Collective
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, answers
from klinke.exchange import actions, candidates
from klinke.exchange.models import (
    Introduction,
    IntroductionQuerySet,
    Need,
    NeedQuerySet,
    Offer,
    OfferQuerySet,
)
from klinke.supporters.models import Supporter
from klinke.topics.models import Topic

_Item = TypeVar("_Item", Need, Offer)

router = Router(tags=["support exchange"])
login = TokenOrSessionRequired()


class ItemOut(Schema):
    ref: str
    title: str
    description: str
    kinds: list[str]
    topics: list[str]
    city: str
    country: str
    nuts_code: str
    remote_ok: bool
    languages: list[str]
    starts_on: date | None
    ends_on: date | None
    effort_hours: int | None
    expires_on: date
    state: str
    outcome: str
    visibility: str
    is_demo: bool
    owner: str
    url: str

    @staticmethod
    def resolve_kinds(obj: Need | Offer) -> list[str]:
        return list(obj.kind_codes)

    @staticmethod
    def resolve_topics(obj: Need | Offer) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_languages(obj: Need | Offer) -> list[str]:
        return list(obj.language_codes)

    @staticmethod
    def resolve_url(obj: Need | Offer) -> str:
        return str(obj.get_absolute_url())


class NeedOut(ItemOut):
    collective: str

    @staticmethod
    def resolve_collective(obj: Need) -> str:
        return obj.collective.slug

    @staticmethod
    def resolve_owner(obj: Need) -> str:
        return f"collective:{obj.collective.slug}"


class OfferOut(ItemOut):
    @staticmethod
    def resolve_owner(obj: Offer) -> str:
        if obj.supporter is not None:
            return f"supporter:{obj.supporter.slug}"
        assert obj.collective is not None
        return f"collective:{obj.collective.slug}"


class ItemIn(InputSchema):
    title: str
    description: str
    kinds: list[str]
    topics: list[str] = []
    city: str = ""
    country: str = ""
    nuts_code: str = ""
    remote_ok: bool = True
    languages: list[str] = []
    starts_on: date | None = None
    ends_on: date | None = None
    effort_hours: int | None = None
    expires_on: date | None = None
    visibility: str = "public"


class NeedIn(ItemIn):
    collective: str


class OfferIn(ItemIn):
    collective: str | None = None
    """Post for a collective you belong to; leave out to post as your supporter profile."""


class StateIn(InputSchema):
    state: str
    outcome: str = ""


class ReasonOut(Schema):
    factor: str
    score: float
    text: dict[str, str]


class FurtherMatchOut(Schema):
    """Another fitting offer of the same party, ranked below the one that placed it."""

    type: str
    ref: str
    name: str
    score: float
    reasons: list[ReasonOut]


class MatchOut(Schema):
    type: str
    ref: str
    name: str
    score: float
    reasons: list[ReasonOut]
    also: list[FurtherMatchOut] = []


class IntroductionIn(InputSchema):
    need: str
    counterpart: str
    """"supporter:<slug>" or "collective:<slug>"."""
    offer: str | None = None
    message: str
    phone: str = ""
    channel: str = ""


class IntroductionAnswerIn(InputSchema):
    message: str = ""
    phone: str = ""
    channel: str = ""


class FeedbackIn(InputSchema):
    helpful: bool | None = None
    rating: int | None = None
    note: str = ""


class IntroductionContactOut(Schema):
    email: str
    phone: str
    channel: str


class IntroductionOut(Schema):
    id: int
    need: str
    counterpart: str
    offer: str | None
    state: str
    message: str
    response_message: str
    requested_at: datetime
    expires_at: datetime
    # Null until both sides have consented.
    requester_contact: IntroductionContactOut | None
    responder_contact: IntroductionContactOut | None
    helpful: bool | None
    rating: int | None

    @staticmethod
    def resolve_need(obj: Introduction) -> str:
        return obj.need.ref

    @staticmethod
    def resolve_counterpart(obj: Introduction) -> str:
        kind = "supporter" if obj.supporter_id else "collective"
        return f"{kind}:{obj.counterpart.slug}"

    @staticmethod
    def resolve_offer(obj: Introduction) -> str | None:
        return obj.offer.ref if obj.offer else None

    @staticmethod
    def resolve_requester_contact(obj: Introduction) -> IntroductionContactOut | None:
        if not obj.contact_details_visible:
            return None
        return IntroductionContactOut(
            email=obj.requester_email, phone=obj.requester_phone, channel=obj.requester_channel
        )

    @staticmethod
    def resolve_responder_contact(obj: Introduction) -> IntroductionContactOut | None:
        if not obj.contact_details_visible:
            return None
        return IntroductionContactOut(
            email=obj.responder_email, phone=obj.responder_phone, channel=obj.responder_channel
        )


def _item_fields(payload: ItemIn) -> actions.ItemFields:
    topics = {topic.slug: topic for topic in Topic.objects.filter(slug__in=payload.topics)}
    unknown = sorted(set(payload.topics) - set(topics))
    if unknown:
        raise HttpError(422, f"topics: unknown topic {unknown[0]!r}")
    return actions.ItemFields(
        title=payload.title,
        description=payload.description,
        kinds=payload.kinds,
        topics=[topics[slug] for slug in payload.topics],
        city=payload.city,
        country=payload.country,
        nuts_code=payload.nuts_code,
        remote_ok=payload.remote_ok,
        languages=payload.languages,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        effort_hours=payload.effort_hours,
        expires_on=payload.expires_on,
        visibility=payload.visibility,
    )


def _invalid(exc: ValidationError) -> HttpError:
    """422 naming the first field at fault, as the pages' forms would mark it."""
    field, messages = next(iter(exc.message_dict.items()))
    return HttpError(422, f"{'body' if field == NON_FIELD_ERRORS else field}: {messages[0]}")


def _update_item(item: Need | Offer, payload: ItemIn) -> None:
    try:
        actions.do_update_item(item=item, fields=_item_fields(payload))
    except ValidationError as exc:
        raise _invalid(exc) from exc


def _set_state(item: _Item, payload: StateIn) -> _Item:
    try:
        actions.do_set_item_state(item=item, state=payload.state, outcome=payload.outcome)
    except actions.ExchangeError as exc:
        raise _refusal(exc, 422) from exc
    return item


def _match_limit(limit: int) -> int:
    return min(max(limit, 1), 50)


def _refusal(exc: actions.ExchangeError, conflict: int = 409) -> HttpError:
    """403 for the wrong person, 422 naming the field for bad input, else `conflict`."""
    if isinstance(exc, actions.NotAllowed):
        return HttpError(403, str(exc))
    if exc.field:
        return HttpError(422, f"{exc.field}: {exc}")
    return HttpError(conflict, str(exc))


def _need_queryset(request: HttpRequest) -> NeedQuerySet:
    return (
        Need.objects.visible_to(request.user)
        .filter(collective__in=Collective.objects.visible_to(request.user))
        .select_related("collective")
        .prefetch_related("topics")
    )


def _offer_queryset(request: HttpRequest) -> OfferQuerySet:
    return (
        Offer.objects.visible_to(request.user)
        .select_related("supporter", "collective")
        .prefetch_related("topics")
    )


def _owned(item: _Item, request: HttpRequest) -> _Item:
    if not item.is_owned_by(request.user):
        raise HttpError(403, "Only the owners can do this.")
    return item


@router.get("/needs", response=answers(list[NeedOut], 401, 422))
@paginate(Pagination)
def list_needs(
    request: HttpRequest, collective: str = "", include_closed: bool = False
) -> NeedQuerySet:
    needs = _need_queryset(request)
    if not include_closed:
        needs = needs.current()
    if collective:
        needs = needs.filter(collective__slug=collective)
    return needs.order_by("-created_at", "pk")


@router.get("/needs/{ref}", response=answers(NeedOut, 401, 404, 422))
def get_need(request: HttpRequest, ref: str) -> Need:
    return get_object_or_404(_need_queryset(request), ref=ref)


@router.post("/needs", response=answers(NeedOut, 401, 403, 404, 422, status=201), auth=login)
def create_need(request: HttpRequest, payload: NeedIn) -> Status[Need]:
    user = request_user(request)
    collective = Collective.objects.visible_to(user).filter(slug=payload.collective).first()
    if collective is None:
        raise Http404
    if not collective.has_member(user):
        raise HttpError(403, "Only members of the collective can post its needs.")
    try:
        need = actions.do_post_need(collective=collective, user=user, fields=_item_fields(payload))
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, get_object_or_404(_need_queryset(request), pk=need.pk))


@router.put("/needs/{ref}", response=answers(NeedOut, 401, 403, 404, 422), auth=login)
def update_need(request: HttpRequest, ref: str, payload: ItemIn) -> Need:
    need = _owned(get_object_or_404(_need_queryset(request), ref=ref), request)
    _update_item(need, payload)
    return get_object_or_404(_need_queryset(request), pk=need.pk)


@router.post("/needs/{ref}/state", response=answers(NeedOut, 401, 403, 404, 409, 422), auth=login)
def set_need_state(request: HttpRequest, ref: str, payload: StateIn) -> Need:
    return _set_state(_owned(get_object_or_404(_need_queryset(request), ref=ref), request), payload)


@router.get(
    "/needs/{ref}/matches", response=answers(list[MatchOut], 401, 403, 404, 422), auth=login
)
def need_matches(request: HttpRequest, ref: str, limit: int = 10) -> list[candidates.MatchDict]:
    need = _owned(get_object_or_404(_need_queryset(request), ref=ref), request)
    ranked = candidates.rank_helpers_for_need(need, user=request.user, limit=_match_limit(limit))
    return [m.as_dict() for m in ranked]


@router.get("/offers", response=answers(list[OfferOut], 401, 422))
@paginate(Pagination)
def list_offers(request: HttpRequest, include_closed: bool = False) -> OfferQuerySet:
    offers = _offer_queryset(request)
    if not include_closed:
        offers = offers.current()
    return offers.order_by("-created_at", "pk")


@router.get("/offers/{ref}", response=answers(OfferOut, 401, 404, 422))
def get_offer(request: HttpRequest, ref: str) -> Offer:
    return get_object_or_404(_offer_queryset(request), ref=ref)


@router.post("/offers", response=answers(OfferOut, 401, 403, 404, 422, status=201), auth=login)
def create_offer(request: HttpRequest, payload: OfferIn) -> Status[Offer]:
    user = request_user(request)
    supporter = collective = None
    if payload.collective:
        collective = Collective.objects.visible_to(user).filter(slug=payload.collective).first()
        if collective is None:
            raise Http404
    else:
        supporter = Supporter.objects.filter(user=user).first()
        if supporter is None:
            raise HttpError(422, "collective: give a collective, or create a supporter profile.")
    try:
        offer = actions.do_post_offer(
            user=user, fields=_item_fields(payload), supporter=supporter, collective=collective
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except actions.ExchangeError as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, get_object_or_404(_offer_queryset(request), pk=offer.pk))


@router.put("/offers/{ref}", response=answers(OfferOut, 401, 403, 404, 422), auth=login)
def update_offer(request: HttpRequest, ref: str, payload: ItemIn) -> Offer:
    offer = _owned(get_object_or_404(_offer_queryset(request), ref=ref), request)
    _update_item(offer, payload)
    return get_object_or_404(_offer_queryset(request), pk=offer.pk)


@router.post("/offers/{ref}/state", response=answers(OfferOut, 401, 403, 404, 409, 422), auth=login)
def set_offer_state(request: HttpRequest, ref: str, payload: StateIn) -> Offer:
    return _set_state(
        _owned(get_object_or_404(_offer_queryset(request), ref=ref), request), payload
    )


@router.get(
    "/offers/{ref}/matches", response=answers(list[MatchOut], 401, 403, 404, 422), auth=login
)
def offer_matches(request: HttpRequest, ref: str, limit: int = 10) -> list[candidates.MatchDict]:
    offer = _owned(get_object_or_404(_offer_queryset(request), ref=ref), request)
    ranked = candidates.rank_needs_for_offer(offer, user=request.user, limit=_match_limit(limit))
    return [m.as_dict() for m in ranked]


def _introductions(request: HttpRequest) -> IntroductionQuerySet:
    return Introduction.objects.involving(request.user).select_related(
        "need__collective", "supporter", "collective", "offer"
    )


@router.get("/introductions", response=answers(list[IntroductionOut], 401, 422), auth=login)
@paginate(Pagination)
def list_introductions(request: HttpRequest, state: str = "") -> IntroductionQuerySet:
    introductions = _introductions(request)
    if state:
        introductions = introductions.filter(state=state)
    return introductions.order_by("-requested_at", "pk")


@router.get(
    "/introductions/{introduction_id}", response=answers(IntroductionOut, 401, 404, 422), auth=login
)
def get_introduction(request: HttpRequest, introduction_id: int) -> Introduction:
    return get_object_or_404(_introductions(request), pk=introduction_id)


@router.post(
    "/introductions",
    response=answers(IntroductionOut, 401, 403, 404, 409, 422, status=201),
    auth=login,
)
def request_introduction(request: HttpRequest, payload: IntroductionIn) -> Status[Introduction]:
    user = request_user(request)
    need = get_object_or_404(_need_queryset(request), ref=payload.need)
    kind, _sep, slug = payload.counterpart.partition(":")
    counterpart: Supporter | Collective
    if kind == "supporter":
        counterpart = get_object_or_404(Supporter.objects.visible_to(user), slug=slug)
    elif kind == "collective":
        counterpart = get_object_or_404(Collective.objects.visible_to(user), slug=slug)
    else:
        raise HttpError(422, "counterpart: use supporter:<slug> or collective:<slug>")
    offer = None
    if payload.offer:
        offer = get_object_or_404(_offer_queryset(request), ref=payload.offer)
    if not need.is_owned_by(user):
        raise HttpError(403, "Only members of the collective can ask for introductions.")
    try:
        introduction = actions.do_request_introduction(
            need=need,
            user=user,
            counterpart=counterpart,
            offer=offer,
            message=payload.message,
            phone=payload.phone,
            channel=payload.channel,
        )
    except actions.ExchangeError as exc:
        # A second open request to the same counterpart is a conflict; the rest is refused
        # input (which 422 names) or a need that is closed.
        raise _refusal(exc, 409 if "already" in str(exc) else 422) from exc
    return Status(201, get_object_or_404(_introductions(request), pk=introduction.pk))


def _move(
    request: HttpRequest, introduction_id: int, move: Callable[[Introduction], object]
) -> Introduction:
    introduction = get_object_or_404(_introductions(request), pk=introduction_id)
    try:
        move(introduction)
    except actions.ExchangeError as exc:
        raise _refusal(exc) from exc
    return get_object_or_404(_introductions(request), pk=introduction.pk)


def _answer(
    request: HttpRequest, introduction_id: int, payload: IntroductionAnswerIn, *, accept: bool
) -> Introduction:
    return _move(
        request,
        introduction_id,
        lambda i: actions.do_answer_introduction(
            introduction_id=i.pk, user=request_user(request), accept=accept, **payload.dict()
        ),
    )


@router.post(
    "/introductions/{introduction_id}/accept",
    response=answers(IntroductionOut, 401, 403, 404, 422),
    auth=login,
)
def accept_introduction(
    request: HttpRequest, introduction_id: int, payload: IntroductionAnswerIn
) -> Introduction:
    return _answer(request, introduction_id, payload, accept=True)


@router.post(
    "/introductions/{introduction_id}/decline",
    response=answers(IntroductionOut, 401, 403, 404, 422),
    auth=login,
)
def decline_introduction(
    request: HttpRequest, introduction_id: int, payload: IntroductionAnswerIn
) -> Introduction:
    return _answer(request, introduction_id, payload, accept=False)


@router.post(
    "/introductions/{introduction_id}/withdraw",
    response=answers(IntroductionOut, 401, 403, 404, 409, 422),
    auth=login,
)
def withdraw_introduction(request: HttpRequest, introduction_id: int) -> Introduction:
    return _move(
        request,
        introduction_id,
        lambda i: actions.do_withdraw_introduction(
            introduction_id=i.pk, user=request_user(request)
        ),
    )


@router.post(
    "/introductions/{introduction_id}/complete",
    response=answers(IntroductionOut, 401, 403, 404, 409, 422),
    auth=login,
)
def complete_introduction(
    request: HttpRequest, introduction_id: int, payload: FeedbackIn
) -> Introduction:
    return _move(
        request,
        introduction_id,
        lambda i: actions.do_complete_introduction(
            introduction_id=i.pk, user=request_user(request), **payload.dict()
        ),
    )
