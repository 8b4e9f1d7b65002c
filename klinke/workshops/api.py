"""JSON API of the workshops app, with the same permissions as its pages.

Ideas and events a caller may not see answer 404; visible ones they may not change answer 403;
moves the rules refuse (registering twice, a cancelled event) answer 409. Times go out as UTC
(`starts_at`) and as wall-clock time in the event's zone (`local_start`, `time_zone`); they come
in as wall-clock time plus zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from klinke.accounts import request_user
from klinke.accounts.api_auth import TokenOrSessionRequired
from klinke.core.api_pagination import Pagination
from klinke.core.api_schemas import InputSchema, answers
from klinke.core.models import is_network_member
from klinke.matching.analysis import query_terms
from klinke.topics.models import Topic
from klinke.workshops import actions
from klinke.workshops.models import (
    ACTIVE_REGISTRATION,
    DEFAULT_TIMEZONE,
    Event,
    EventQuerySet,
    Interest,
    Registration,
    RegistrationStatus,
    WorkshopIdea,
    WorkshopIdeaQuerySet,
)

router = Router(tags=["workshops"])
login = TokenOrSessionRequired()


# --- schemas -------------------------------------------------------------------------


class IdeaOut(Schema):
    id: int
    title: str
    description: str
    topics: list[str]
    language: str
    interest_threshold: int
    interest_count: int
    threshold_reached: bool
    state: str
    visibility: str
    proposers: list[str]
    is_demo: bool
    url: str

    @staticmethod
    def resolve_topics(obj: WorkshopIdea) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_interest_count(obj: WorkshopIdea) -> int:
        count = getattr(obj, "interest_count", None)
        return int(count) if count is not None else obj.interested_count()

    @staticmethod
    def resolve_threshold_reached(obj: WorkshopIdea) -> bool:
        return obj.threshold_reached_at is not None

    @staticmethod
    def resolve_proposers(obj: WorkshopIdea) -> list[str]:
        return [person.display_name for person in obj.proposers.all()]

    @staticmethod
    def resolve_url(obj: WorkshopIdea) -> str:
        return obj.get_absolute_url()


class IdeaIn(InputSchema):
    title: str
    description: str
    topics: list[str]
    language: str = "de"
    interest_threshold: int = 5
    visibility: str = "public"


class InterestIn(InputSchema):
    preferred_format: str = "either"
    region: str = ""
    language: str = ""


class InterestOut(Schema):
    idea: int
    preferred_format: str
    region: str
    language: str
    created_at: datetime

    @staticmethod
    def resolve_idea(obj: Interest) -> int:
        return obj.idea_id


class EventOut(Schema):
    id: int
    uid: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_start: str
    local_end: str
    format: str
    venue: str
    city: str
    online_url: str | None
    """Only for hosts and confirmed participants; null for everyone else."""
    capacity: int
    confirmed_count: int
    waitlist_count: int
    places_left: int
    language: str
    topics: list[str]
    visibility: str
    state: str
    hosts: list[str]
    idea: int | None
    my_status: str | None
    url: str
    ics_url: str
    is_demo: bool

    @staticmethod
    def resolve_uid(obj: Event) -> str:
        return str(obj.uid)

    @staticmethod
    def resolve_local_start(obj: Event) -> str:
        return obj.local_start.replace(tzinfo=None).isoformat(timespec="minutes")

    @staticmethod
    def resolve_local_end(obj: Event) -> str:
        return obj.local_end.replace(tzinfo=None).isoformat(timespec="minutes")

    @staticmethod
    def resolve_online_url(obj: Event, context: Mapping[str, object]) -> str | None:
        request = context["request"]
        assert isinstance(request, HttpRequest)
        user = request.user
        if not obj.online_url:
            return None
        if obj.is_host(user) or _my_status(obj) == RegistrationStatus.CONFIRMED:
            return obj.online_url
        return None

    @staticmethod
    def resolve_confirmed_count(obj: Event) -> int:
        return obj.confirmed_count

    @staticmethod
    def resolve_waitlist_count(obj: Event) -> int:
        return obj.waitlist_count

    @staticmethod
    def resolve_places_left(obj: Event) -> int:
        return obj.places_left()

    @staticmethod
    def resolve_topics(obj: Event) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    @staticmethod
    def resolve_hosts(obj: Event) -> list[str]:
        return [host.display_name for host in obj.hosts.all()]

    @staticmethod
    def resolve_idea(obj: Event) -> int | None:
        return obj.idea_id

    @staticmethod
    def resolve_my_status(obj: Event) -> str | None:
        return _my_status(obj)

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_ics_url(obj: Event) -> str:
        return reverse("workshops:event_ics", args=[obj.pk])


class EventIn(InputSchema):
    title: str
    description: str = ""
    start: datetime
    """Wall-clock time in `time_zone`, without an offset, e.g. 2027-10-31T10:00."""
    end: datetime
    time_zone: str = DEFAULT_TIMEZONE
    format: str = "in-person"
    venue: str = ""
    city: str = ""
    online_url: str = ""
    capacity: int
    language: str = "de"
    topics: list[str] = []
    visibility: str = "public"
    idea: int | None = None
    """Plan an idea you proposed; everyone interested in it gets an email."""


class CancelIn(InputSchema):
    note: str = ""


class RegistrationOut(Schema):
    event: int
    event_title: str
    starts_at: datetime
    status: str
    waitlist_position: int | None
    requested_at: datetime

    @staticmethod
    def resolve_event(obj: Registration) -> int:
        return obj.event_id

    @staticmethod
    def resolve_event_title(obj: Registration) -> str:
        return obj.event.title

    @staticmethod
    def resolve_starts_at(obj: Registration) -> datetime:
        return obj.event.starts_at

    @staticmethod
    def resolve_waitlist_position(obj: Registration) -> int | None:
        return obj.waitlist_position()


class AttendeeOut(Schema):
    name: str
    email: str
    status: str
    requested_at: datetime
    confirmed_at: datetime | None

    @staticmethod
    def resolve_name(obj: Registration) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_email(obj: Registration) -> str:
        return obj.user.email


# --- helpers -------------------------------------------------------------------------


def _my_status(event: Event) -> str | None:
    mine = getattr(event, "my_registrations", None) or []
    return mine[0].status if mine else None


def _topics(slugs: list[str]) -> list[Topic]:
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    unknown = sorted(set(slugs) - set(found))
    if unknown:
        raise HttpError(422, f"topics: unknown topic {unknown[0]!r}")
    return [found[slug] for slug in slugs]


def _invalid(exc: ValidationError) -> HttpError:
    """422 naming the first field at fault, as the pages' forms would mark it."""
    field, errors = next(iter(exc.message_dict.items()))
    name = "start" if field in ("start_date", "start_time") else field
    name = "end" if field in ("end_date", "end_time") else name
    return HttpError(422, f"{'body' if name == NON_FIELD_ERRORS else name}: {errors[0]}")


def _idea_queryset(request: HttpRequest) -> WorkshopIdeaQuerySet:
    return (
        WorkshopIdea.objects.visible_to(request.user)
        .with_interest_count()
        .prefetch_related("topics", "proposers")
    )


def _event_queryset(request: HttpRequest) -> EventQuerySet:
    user_id = getattr(request.user, "pk", None) or 0
    mine = Registration.objects.filter(user_id=user_id, status__in=ACTIVE_REGISTRATION)
    return (
        Event.objects.visible_to(request.user)
        .with_counts()
        .prefetch_related(
            "topics", "hosts", Prefetch("registrations", queryset=mine, to_attr="my_registrations")
        )
    )


def _event_fields(payload: EventIn) -> actions.EventFields:
    if payload.start.tzinfo is not None or payload.end.tzinfo is not None:
        raise HttpError(
            422, "start: give wall-clock time without an offset, and the zone in time_zone"
        )
    return actions.EventFields(
        title=payload.title,
        description=payload.description,
        start=payload.start.replace(second=0, microsecond=0),
        end=payload.end.replace(second=0, microsecond=0),
        time_zone=payload.time_zone,
        format=payload.format,
        venue=payload.venue,
        city=payload.city,
        online_url=payload.online_url,
        capacity=payload.capacity,
        language=payload.language,
        topics=_topics(payload.topics),
        visibility=payload.visibility,
    )


def _conflict(exc: actions.WorkshopError) -> HttpError:
    return HttpError(409, str(exc))


# --- ideas ---------------------------------------------------------------------------


@router.get("/ideas", response=answers(list[IdeaOut], 401, 422))
@paginate(Pagination)
def list_ideas(
    request: HttpRequest, q: str = "", topic: str = "", state: str = "open"
) -> WorkshopIdeaQuerySet:
    ideas = _idea_queryset(request)
    if state != "all":
        ideas = ideas.filter(state=state)
    if q:
        ideas = ideas.matching_terms(query_terms(q))
    if topic:
        topics = Topic.objects.with_descendants([topic])
        ideas = ideas.filter(pk__in=WorkshopIdea.objects.filter(topics__in=topics).values("pk"))
    return ideas.order_by("-interest_count", "-created_at", "pk")


@router.get("/ideas/{idea_id}", response=answers(IdeaOut, 401, 404, 422))
def get_idea(request: HttpRequest, idea_id: int) -> WorkshopIdea:
    return get_object_or_404(_idea_queryset(request), pk=idea_id)


@router.post("/ideas", response=answers(IdeaOut, 401, 403, 404, 422, status=201), auth=login)
def create_idea(request: HttpRequest, payload: IdeaIn) -> Status[WorkshopIdea]:
    user = request_user(request)
    if not is_network_member(user):
        raise HttpError(403, "Members of collectives and supporters can propose workshops.")
    fields = actions.IdeaFields(
        title=payload.title,
        description=payload.description,
        topics=_topics(payload.topics),
        language=payload.language,
        interest_threshold=payload.interest_threshold,
        visibility=payload.visibility,
    )
    try:
        idea = actions.do_propose_idea(user=user, fields=fields)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, get_object_or_404(_idea_queryset(request), pk=idea.pk))


@router.post(
    "/ideas/{idea_id}/interest", response=answers(InterestOut, 401, 403, 404, 409, 422), auth=login
)
def register_interest(request: HttpRequest, idea_id: int, payload: InterestIn) -> Interest:
    user = request_user(request)
    idea = get_object_or_404(_idea_queryset(request), pk=idea_id)
    try:
        return actions.do_register_interest(
            idea_id=idea.pk,
            user=user,
            preferred_format=payload.preferred_format,
            region=payload.region,
            language=payload.language,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except actions.WorkshopError as exc:
        raise _conflict(exc) from exc


@router.delete(
    "/ideas/{idea_id}/interest", response=answers(None, 401, 403, 404, 422, status=204), auth=login
)
def withdraw_interest(request: HttpRequest, idea_id: int) -> Status[None]:
    idea = get_object_or_404(_idea_queryset(request), pk=idea_id)
    if not actions.do_withdraw_interest(idea_id=idea.pk, user=request_user(request)):
        raise HttpError(404, "You had not registered interest.")
    return Status(204, None)


# --- events --------------------------------------------------------------------------


@router.get("/events", response=answers(list[EventOut], 401, 422))
@paginate(Pagination)
def list_events(
    request: HttpRequest,
    q: str = "",
    topic: str = "",
    language: str = "",
    format: str = "",
    when: str = "upcoming",
) -> EventQuerySet:
    events = _event_queryset(request)
    events = events.past() if when == "past" else events.upcoming()
    if q:
        events = events.matching_terms(query_terms(q))
    if topic:
        topics = Topic.objects.with_descendants([topic])
        events = events.filter(pk__in=Event.objects.filter(topics__in=topics).values("pk"))
    if language:
        events = events.filter(language=language)
    if format:
        events = events.filter(format=format)
    return events


@router.get("/events/{event_id}", response=answers(EventOut, 401, 404, 422))
def get_event(request: HttpRequest, event_id: int) -> Event:
    return get_object_or_404(_event_queryset(request), pk=event_id)


@router.post("/events", response=answers(EventOut, 401, 403, 404, 409, 422, status=201), auth=login)
def create_event(request: HttpRequest, payload: EventIn) -> Status[Event]:
    user = request_user(request)
    if not is_network_member(user):
        raise HttpError(403, "Members of collectives and supporters can create events.")
    idea = None
    if payload.idea is not None:
        idea = get_object_or_404(_idea_queryset(request), pk=payload.idea)
        if not idea.is_proposer(user):
            raise HttpError(403, "Only the people who proposed this idea can plan it.")
    try:
        event = actions.do_create_event(user=user, fields=_event_fields(payload), idea=idea)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except actions.WorkshopError as exc:
        raise _conflict(exc) from exc
    return Status(201, get_object_or_404(_event_queryset(request), pk=event.pk))


def _hosted(request: HttpRequest, event_id: int) -> Event:
    event: Event = get_object_or_404(_event_queryset(request), pk=event_id)
    if not event.is_host(request.user):
        raise HttpError(403, "Only the hosts can do this.")
    return event


@router.put("/events/{event_id}", response=answers(EventOut, 401, 403, 404, 409, 422), auth=login)
def update_event(request: HttpRequest, event_id: int, payload: EventIn) -> Event:
    event = _hosted(request, event_id)
    try:
        actions.do_update_event(
            event=event, user=request_user(request), fields=_event_fields(payload)
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except actions.WorkshopError as exc:
        raise _conflict(exc) from exc
    return get_object_or_404(_event_queryset(request), pk=event.pk)


@router.post(
    "/events/{event_id}/cancel", response=answers(EventOut, 401, 403, 404, 409, 422), auth=login
)
def cancel_event(request: HttpRequest, event_id: int, payload: CancelIn) -> Event:
    event = _hosted(request, event_id)
    try:
        actions.do_cancel_event(event_id=event.pk, user=request_user(request), note=payload.note)
    except actions.WorkshopError as exc:
        raise _conflict(exc) from exc
    return get_object_or_404(_event_queryset(request), pk=event.pk)


@router.get(
    "/events/{event_id}/attendees",
    response=answers(list[AttendeeOut], 401, 403, 404, 422),
    auth=login,
)
def list_attendees(request: HttpRequest, event_id: int) -> QuerySet[Registration]:
    """Registered and waitlisted people, in waitlist order; for the hosts only."""
    event = _hosted(request, event_id)
    return (
        event.registrations.filter(status__in=ACTIVE_REGISTRATION)
        .select_related("user")
        .order_by("status", "requested_at", "pk")
    )


# --- registration --------------------------------------------------------------------


@router.post(
    "/events/{event_id}/registration",
    response=answers(RegistrationOut, 401, 403, 404, 409, 422, status=201),
    auth=login,
)
def register(request: HttpRequest, event_id: int) -> Status[Registration]:
    """A place if one is free, otherwise the end of the waitlist (status says which)."""
    event = get_object_or_404(_event_queryset(request), pk=event_id)
    try:
        registration = actions.do_register(event_id=event.pk, user=request_user(request))
    except actions.WorkshopError as exc:
        raise _conflict(exc) from exc
    return Status(201, Registration.objects.select_related("event").get(pk=registration.pk))


@router.delete(
    "/events/{event_id}/registration",
    response=answers(RegistrationOut, 401, 403, 404, 409, 422),
    auth=login,
)
def cancel_registration(request: HttpRequest, event_id: int) -> Registration:
    event = get_object_or_404(_event_queryset(request), pk=event_id)
    try:
        registration = actions.do_cancel_registration(event_id=event.pk, user=request_user(request))
    except actions.WorkshopError as exc:
        raise _conflict(exc) from exc
    return Registration.objects.select_related("event").get(pk=registration.pk)


@router.get("/registrations", response=answers(list[RegistrationOut], 401, 422), auth=login)
@paginate(Pagination)
def my_registrations(request: HttpRequest) -> QuerySet[Registration]:
    """Your registrations and waitlist places, soonest event first."""
    return (
        Registration.objects.filter(user=request_user(request), status__in=ACTIVE_REGISTRATION)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
